"""Benchmark of the image checks against a plain Pillow loop.

    python bench/images.py [--count N]

Builds (once, into bench/.data/, git-ignored) a corpus of real-size images in the accepted
formats with a manifest referencing each, then measures in one run:
  (a) a plain loop opening each image with Pillow: format, size, getexif() orientation;
  (b) metalint (``metalint.engine.lint_file``) with the cache off, in a child process;
  (c) metalint again with a warm cache, in a child process;
  (d) a plain loop decoding each image in full with Pillow (``load()``);
  (e) metalint's deep check (``deep_images``: every image decoded, in the worker pool), cold;
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
    """A folder with ``count`` images under distinct names and a manifest. The images are hard
    links to the sources (copies where links fail): distinct paths, files and cache entries,
    without filling the disk with 10,000 copies."""
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
        (folder / name).unlink(missing_ok=True)  # left over from an interrupted build
        try:
            os.link(source, folder / name)
        except OSError:
            shutil.copyfile(source, folder / name)
        line = {
            "OperationType": "ADD",
            "ProductId": str(index),
            "PicName": name,
            "CustomContent": f"sku:{index}",
        }
        lines.append(json.dumps(line))
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, manifest)
    return manifest


def pillow_loop(manifest: Path) -> float:
    names = [json.loads(line)["PicName"] for line in manifest.read_text().splitlines()]
    start = time.perf_counter()
    for name in names:
        with Image.open(manifest.parent / name) as image:
            _ = image.format, image.size, image.getexif().get(0x0112)
    return time.perf_counter() - start


def pillow_load_loop(manifest: Path) -> float:
    names = [json.loads(line)["PicName"] for line in manifest.read_text().splitlines()]
    start = time.perf_counter()
    for name in names:
        with Image.open(manifest.parent / name) as image:
            image.load()
    return time.perf_counter() - start


def child(
    manifest: Path, cache_dir: Path, use_cache: bool, stage_only: bool, deep: bool = False
) -> None:
    from metalint.config import Config
    from metalint.engine import lint_file
    from metalint.images import ImageRef, ImageStage
    from metalint.plan import plan_for

    config = Config(use_cache=use_cache, cache_dir=cache_dir, deep_images=deep)
    if stage_only:
        names = [json.loads(line)["PicName"] for line in manifest.read_text().splitlines()]
        start = time.perf_counter()
        stage = ImageStage(manifest.parent, config, plan_for(config).image)
        for line, name in enumerate(names, start=1):
            stage.add(ImageRef(line, name, None))
        images = len(list(stage.finish()))
    else:
        start = time.perf_counter()
        images = sum(1 for d in lint_file(manifest, config) if d.code.startswith("ML3"))
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "image_findings": images}))


def run_child(manifest: Path, cache_dir: Path, mode: str, repeat: int = 3) -> dict[str, float]:
    """The best of ``repeat`` runs of a child process: the time inside it and the whole process."""
    best: dict[str, float] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        command = [sys.executable, __file__, "--child", mode, "--manifest", str(manifest)]
        command += ["--cache-dir", str(cache_dir)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        result = json.loads(output) | {"wall": time.perf_counter() - start}
        if not best or result["seconds"] < best["seconds"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--child", choices=["cold", "warm", "stage-cold", "stage-warm", "deep"])
    parser.add_argument("--no-deep", action="store_true", help="skip (d) and (e), the long ones")
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--cache-dir", type=Path)
    args = parser.parse_args()
    if args.child:
        stage_only = args.child.startswith("stage-")
        use_cache = args.child.endswith("warm")
        child(args.manifest, args.cache_dir, use_cache, stage_only, args.child == "deep")
        return
    manifest = build_corpus(args.count)
    print(f"corpus: {args.count} images in {manifest.parent} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as cache:
        cold = run_child(manifest, Path(cache), "cold", repeat=1)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        cold = min(cold, run_child(manifest, Path(cache), "cold"), key=lambda r: r["seconds"])
        run_child(manifest, Path(cache), "warm", repeat=1)
        warm = run_child(manifest, Path(cache), "warm")
    with tempfile.TemporaryDirectory() as cache:
        stage_cold = run_child(manifest, Path(cache), "stage-cold")
        run_child(manifest, Path(cache), "stage-warm", repeat=1)
        stage_warm = run_child(manifest, Path(cache), "stage-warm")
    naive = pillow_loop(manifest)
    if not args.no_deep:
        with tempfile.TemporaryDirectory() as cache:
            deep = run_child(manifest, Path(cache), "deep", repeat=1)
        decoding = pillow_load_loop(manifest)
    rows = [
        ("(a) Pillow loop: open, size, getexif()", naive, naive),
        ("(b) metalint lint_file, no cache", cold["seconds"], cold["wall"]),
        ("(c) metalint lint_file, warm cache", warm["seconds"], warm["wall"]),
        ("(b') image stage alone, no cache", stage_cold["seconds"], stage_cold["wall"]),
        ("(c') image stage alone, warm cache", stage_warm["seconds"], stage_warm["wall"]),
    ]
    if not args.no_deep:
        rows += [
            ("(d) Pillow loop: open, load()", decoding, decoding),
            ("(e) metalint lint_file, deep check, cold", deep["seconds"], deep["wall"]),
        ]
    print(f"{'':42} {'seconds':>8} {'images/s':>9} {'process':>8}")
    for label, seconds, wall in rows:
        print(f"{label:42} {seconds:8.3f} {args.count / seconds:9,.0f} {wall:8.2f}")
    print(
        f"(a)/(b) = {naive / cold['seconds']:.1f}   "
        f"cold/warm (b)/(c) = {cold['seconds'] / warm['seconds']:.1f}   "
        f"stage cold/warm (b')/(c') = {stage_cold['seconds'] / stage_warm['seconds']:.1f}"
    )
    if not args.no_deep:
        print(
            f"deep check (d)/(e) = {decoding / deep['seconds']:.2f}   "
            f"deep/header (e)/(b) = {deep['seconds'] / cold['seconds']:.0f}   "
            f"image findings with the deep check: {deep['image_findings']:.0f}"
        )
    print(f"image findings: {cold['image_findings']:.0f}")
    print(f"peak RSS of the metalint child process (no cache): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
