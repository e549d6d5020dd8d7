"""Benchmark of the image checks against a plain Pillow loop.

    python bench/images.py [--count N]

Builds (once, into bench/.data/, git-ignored) a corpus of real-size images in the accepted
formats with a manifest referencing each, then measures in one run:
  (a) a plain loop opening each image with Pillow: format, size, getexif() orientation;
  (b) metalint (``metalint.engine.lint_file``) with the cache off, in a child process;
  (c) metalint again with a warm cache, in a child process;
and prints the ratios and the peak RSS of the child processes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import piexif
from PIL import Image

DATA = Path(__file__).resolve().parent / ".data"
SOURCES = DATA / "sources"
SOURCE_COUNT = 120
FORMATS = [("jpg", 50), ("png", 20), ("webp", 10), ("gif", 8), ("bmp", 6), ("tif", 6)]


def _sample(rng: random.Random, extension: str) -> Image.Image:
    """A smooth picture with some texture, so that encoded sizes are those of photographs."""
    if extension in ("bmp", "tif"):
        width, height = rng.randint(1000, 1150), rng.randint(1000, 1150)
    else:
        width, height = rng.randint(1000, 3000), rng.randint(1000, 3000)
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), rng.randint(10, 40))
    mandel = Image.effect_mandelbrot((width, height), (-2.0, -1.2, 0.8, 1.2), 60)
    return Image.merge("RGB", (gradient, noise, mandel))


def _build_sources() -> list[Path]:
    SOURCES.mkdir(parents=True, exist_ok=True)
    existing = sorted(SOURCES.iterdir())
    if len(existing) >= SOURCE_COUNT:
        return existing
    rng = random.Random(7)
    extensions = [e for e, weight in FORMATS for _ in range(weight)]
    paths = []
    for index in range(SOURCE_COUNT):
        extension = extensions[index * len(extensions) // SOURCE_COUNT]
        image = _sample(rng, extension)
        path = SOURCES / f"{index:03}.{extension}"
        if extension == "jpg":
            exif = piexif.dump({"0th": {piexif.ImageIFD.Orientation: rng.choice([1, 1, 6, 8])}})
            image.save(path, quality=85, exif=exif)
        elif extension == "gif":
            image.convert("P", palette=Image.Palette.ADAPTIVE).save(path)
        elif extension == "png":
            image.save(path, compress_level=1)
        elif extension == "webp":
            image.save(path, quality=80, method=0)
        else:
            image.save(path)
        paths.append(path)
    return paths


def build_corpus(count: int) -> Path:
    """A folder with ``count`` images (copies of the sources under distinct names) and a manifest."""
    folder = DATA / f"corpus-{count}"
    manifest = folder / "increment.meta"
    if manifest.exists():
        return manifest
    sources = _build_sources()
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    lines = []
    for index in range(count):
        source = sources[index % len(sources)]
        name = f"images/{index // 1000:02}/{index:06}{source.suffix}"
        (folder / name).parent.mkdir(exist_ok=True)
        shutil.copyfile(source, folder / name)
        line = {"OperationType": "ADD", "ProductId": str(index), "PicName": name}
        lines.append(json.dumps(line))
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def pillow_loop(manifest: Path) -> float:
    names = [json.loads(line)["PicName"] for line in manifest.read_text().splitlines()]
    start = time.perf_counter()
    for name in names:
        with Image.open(manifest.parent / name) as image:
            _ = image.format, image.size, image.getexif().get(0x0112)
    return time.perf_counter() - start


def child(manifest: Path, cache_dir: Path, use_cache: bool) -> None:
    from metalint.config import Config
    from metalint.engine import lint_file

    config = Config(use_cache=use_cache, cache_dir=cache_dir)
    start = time.perf_counter()
    diagnostics = lint_file(manifest, config)
    elapsed = time.perf_counter() - start
    images = sum(1 for d in diagnostics if d.code.startswith("ML3"))
    print(json.dumps({"seconds": elapsed, "image_findings": images}))


def run_child(manifest: Path, cache_dir: Path, mode: str) -> tuple[dict[str, float], float]:
    start = time.perf_counter()
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--manifest", str(manifest),
         "--cache-dir", str(cache_dir)],
        check=True, capture_output=True, text=True,
    ).stdout
    wall = time.perf_counter() - start
    return json.loads(output), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--child", choices=["cold", "warm", "fill"])
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--cache-dir", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.manifest, args.cache_dir, use_cache=args.child != "cold")
        return
    manifest = build_corpus(args.count)
    print(f"corpus: {args.count} images in {manifest.parent} ({os.cpu_count()} cores)")
    naive = pillow_loop(manifest)
    print(f"(a) Pillow loop: {naive:.2f} s ({args.count / naive:,.0f} images/s)")
    with tempfile.TemporaryDirectory() as cache:
        cold, cold_wall = run_child(manifest, Path(cache), "cold")
        cold_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        run_child(manifest, Path(cache), "fill")
        warm, warm_wall = run_child(manifest, Path(cache), "warm")
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"(b) metalint, no cache: {cold['seconds']:.3f} s in lint_file "
          f"({cold_wall:.2f} s for the whole child process), "
          f"{cold['image_findings']} image findings")
    print(f"(c) metalint, warm cache: {warm['seconds']:.3f} s in lint_file "
          f"({warm_wall:.2f} s for the whole child process)")
    print(f"(a)/(b) = {naive / cold['seconds']:.1f}   cold/warm = "
          f"{cold['seconds'] / warm['seconds']:.1f}")
    print(f"peak RSS of a child: {cold_rss / 1024:.0f} MiB (no cache), "
          f"{rss / 1024:.0f} MiB (max over all runs)")


if __name__ == "__main__":
    main()
