# ruff: noqa: E501 -- manifest lines are data, one line each, as in the file they make
"""Write the example bucket: an increment.meta and the small images its ADD lines name.

The first nine lines are the example manifest of the Image Search documentation; the lines after
them are broken on purpose (see README.md next to this script). Run it again after changing it:

    python examples/make_bucket.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

BUCKET = Path(__file__).resolve().parent / "bucket"

DOCUMENTATION_LINES = [
    '{"OperationType": "ADD","ProductId": "1000","PicName": "girl_cloth1.jpg","CategoryId": 0,"IntAttr": 0,"StrAttr": "value1","CustomContent": "k1:v1,k2:v2,k3:v3","Region": "20,40,60,80"}',
    '{"OperationType": "ADD","ProductId": "1000","PicName": "girl_cloth2.jpg","CategoryId": 0,"IntAttr": 0,"StrAttr": "value2","CustomContent": "k1:v1,k2:v2,k3:v3","Region": "20,40,60,80"}',
    '{"OperationType": "ADD","ProductId": "1001","PicName": "girl_cloth3.jpg","CategoryId": 1,"CustomContent": "k1:v1,k2:v2,k3:v3"}',
    '{"OperationType": "ADD","ProductId": "1002","PicName": "girl_cloth4.jpg","CategoryId": 0,"CustomContent": "k1:v1,k2:v2,k3:v3","Crop": false}',
    '{"OperationType": "ADD","ProductId": "1003","PicName": "girl_cloth7.jpg","CustomContent": "https://www.aliyun.com/imagesearch/girl_cloth7.jpg"}',
    '{"OperationType": "ADD","ProductId": "1003","PicName": "girl_cloth6.jpg","CustomContent": "k1:v1,k2:v2,k3:v3"}',
    '{"OperationType": "ADD","ProductId": "1006","PicName": "girlCloth/girl_cloth10.jpg","CustomContent": "k1:v1,k2:v2,k3:v3"}',
    '{"OperationType": "DELETE","ProductId": "1004","PicName": "fengyi.jpg"}',
    '{"OperationType": "DELETE","ProductId": "1005"}',
]

BROKEN_LINES = [
    # 10: the operation in lower case.
    '{"OperationType": "add","ProductId": "1007","PicName": "shoe1.jpg","CustomContent": "k1:v1"}',
    # 11: ProductId as a JSON number.
    '{"OperationType": "ADD","ProductId": 1008,"PicName": "shoe2.jpg","CustomContent": "k1:v1"}',
    # 12: PicName with a leading slash.
    '{"OperationType": "ADD","ProductId": "1009","PicName": "/bag1.jpg","CustomContent": "k1:v1"}',
    # 13: an exact copy of line 3.
    DOCUMENTATION_LINES[2],
    # 14: an image of 60 x 60 pixels, below the 100 pixels the service needs.
    '{"OperationType": "ADD","ProductId": "1010","PicName": "tiny.jpg","CustomContent": "k1:v1"}',
    # 15: an image that is not in the bucket.
    '{"OperationType": "ADD","ProductId": "1011","PicName": "missing.jpg","CustomContent": "k1:v1"}',
]

IMAGES = {
    "girl_cloth1.jpg": ((120, 120), (214, 92, 92)),
    "girl_cloth2.jpg": ((120, 120), (92, 140, 214)),
    "girl_cloth3.jpg": ((120, 120), (92, 190, 120)),
    "girl_cloth4.jpg": ((120, 120), (230, 190, 80)),
    "girl_cloth6.jpg": ((120, 120), (160, 100, 200)),
    "girl_cloth7.jpg": ((120, 120), (80, 180, 190)),
    "girlCloth/girl_cloth10.jpg": ((120, 120), (200, 120, 160)),
    "shoe1.jpg": ((120, 120), (120, 120, 120)),
    "shoe2.jpg": ((120, 120), (60, 60, 60)),
    "bag1.jpg": ((120, 120), (150, 110, 70)),
    "tiny.jpg": ((60, 60), (240, 240, 240)),
}
"""Image key → (width and height, solid colour): solid colours keep each JPEG near 1 KB."""


def main() -> None:
    for name, (size, colour) in IMAGES.items():
        target = BUCKET / name
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, colour).save(target, "JPEG", quality=85)
    manifest = "\n".join(DOCUMENTATION_LINES + BROKEN_LINES) + "\n"
    (BUCKET / "increment.meta").write_text(manifest, encoding="utf-8")


if __name__ == "__main__":
    main()
