"""Smaller copies of an uploaded image for pages (Pillow): a few widths in WebP, next to
the original, named ``<original>.w<width>.webp`` (kept by the caller in the file store). The copies carry no metadata (no EXIF,
so no camera position), are turned upright by the EXIF orientation, and are never wider
than the original. An image Pillow cannot read gets no copies (pages then use the original)."""
from __future__ import annotations

import io
import logging
from typing import Iterable

log = logging.getLogger(__name__)
FORMAT = "webp"
CONTENT_TYPE = "image/webp"
QUALITY = 80


def variant_name(name: str, width: int) -> str:
    """The name (or storage key) of the copy ``width`` px wide of the image named ``name``."""
    return f"{name}.w{int(width)}.{FORMAT}"


def variant_names(name: str, widths: Iterable[int]) -> list[str]:
    return [variant_name(name, w) for w in widths]


def make_variants(data: bytes, widths: Iterable[int]) -> list[tuple[int, bytes]]:
    """The copies of the image in ``data``: (width, WebP bytes) for each width (none when
    the bytes are not an image Pillow can read)."""
    from PIL import Image, ImageOps

    widths = sorted({int(w) for w in widths if int(w) > 0})
    if not widths:
        return []
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.draft("RGB", (widths[-1], widths[-1] * 4))  # JPEG: decode at a smaller scale
            image = ImageOps.exif_transpose(source)
            image.load()
    except Exception as exc:  # noqa: BLE001  (not an image, truncated, a decompression bomb, ...)
        log.info("images: no copies (%s: %s)", type(exc).__name__, exc)
        return []
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    made = []
    for width in widths:
        if image.width > width:
            height = max(1, round(image.height * width / image.width))
            copy = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        else:
            copy = image
        out = io.BytesIO()
        copy.save(out, FORMAT, quality=QUALITY, method=4)
        made.append((width, out.getvalue()))
    return made
