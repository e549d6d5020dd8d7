"""What each Image Search service type accepts: image resolution and which fields it honours."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Service(enum.StrEnum):
    PRODUCT = "product"
    GENERIC = "generic"
    CLOTH = "cloth"
    TRADEMARK = "trademark"
    FURNITURE = "furniture"
    HARDWARE = "hardware"


@dataclass(frozen=True, slots=True)
class ServiceProfile:
    service: Service
    min_side: int
    """Smallest accepted width and height, inclusive."""
    max_side: int
    """Largest accepted width and height: inclusive unless ``max_exclusive``."""
    max_exclusive: bool
    honours_category: bool
    """False where the service sets CategoryId to 88888888 whatever the line says."""
    honours_crop_region: bool

    def side_ok(self, side: int) -> bool:
        if side < self.min_side:
            return False
        return side < self.max_side if self.max_exclusive else side <= self.max_side

    @property
    def range_text(self) -> str:
        upper = f"below {self.max_side}" if self.max_exclusive else f"{self.max_side}"
        return f"{self.min_side} to {upper} pixels"


PROFILES: dict[Service, ServiceProfile] = {
    Service.PRODUCT: ServiceProfile(Service.PRODUCT, 100, 4096, False, True, True),
    Service.GENERIC: ServiceProfile(Service.GENERIC, 100, 4096, False, False, True),
    Service.FURNITURE: ServiceProfile(Service.FURNITURE, 100, 4096, False, False, True),
    Service.HARDWARE: ServiceProfile(Service.HARDWARE, 100, 4096, False, False, True),
    Service.TRADEMARK: ServiceProfile(Service.TRADEMARK, 200, 4096, True, False, True),
    Service.CLOTH: ServiceProfile(Service.CLOTH, 448, 4096, False, False, False),
}
