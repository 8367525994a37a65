"""Smaller copies of an uploaded image for pages (Pillow): a few widths in WebP, next to
the original, named ``<original>.w<width>.webp``. The copies carry no metadata (no EXIF,
so no camera position), are turned upright by the EXIF orientation, and are never wider
than the original. An image Pillow cannot read gets no copies (pages then use the original)."""
from __future__ import annotations

import logging
import os
from typing import Iterable

log = logging.getLogger(__name__)
FORMAT = "webp"
CONTENT_TYPE = "image/webp"
QUALITY = 80


def variant_path(path: str, width: int) -> str:
    return f"{path}.w{int(width)}.{FORMAT}"


def variant_paths(path: str, widths: Iterable[int]) -> list[str]:
    return [variant_path(path, w) for w in widths]


def make_variants(path: str, widths: Iterable[int]) -> list[str]:
    """Write the copies of the image at ``path``; returns the paths written (none when the
    file is not an image Pillow can read)."""
    from PIL import Image, ImageOps

    widths = sorted({int(w) for w in widths if int(w) > 0})
    if not widths:
        return []
    written = []
    try:
        with Image.open(path) as source:
            source.draft("RGB", (widths[-1], widths[-1] * 4))  # JPEG: decode at a smaller scale
            image = ImageOps.exif_transpose(source)
            image.load()
    except Exception as exc:  # noqa: BLE001  (not an image, truncated, a decompression bomb, ...)
        log.info("images: no copies of %s (%s: %s)", os.path.basename(path), type(exc).__name__, exc)
        return []
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    for width in widths:
        target = variant_path(path, width)
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            copy = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        else:
            copy = image
        tmp = f"{target}.tmp"
        copy.save(tmp, FORMAT, quality=QUALITY, method=4)
        os.replace(tmp, target)
        written.append(target)
    return written
