"""Inline SVG icons for the portal's own layout (24x24, stroked, drawn with currentColor).

``icon(name)`` is a Jinja global: ``{{ icon("search") }}``. Font Awesome names kept in the
data (a category's ``icon``) map to the same drawings, so pages load no icon font."""
from __future__ import annotations

from markupsafe import Markup, escape

PATHS = {
  "scale": '<path d="M12 3v18M7 21h10M5 7h14M12 5l0 0"/><path d="M5 7l-3 7a3 3 0 0 0 6 0zM19 7l-3 7a3 3 0 0 0 6 0z"/>',
  "search": '<circle cx="11" cy="11" r="7"/><path d="M20 20l-3.5-3.5"/>',
  "bell": '<path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
  "support": '<path d="M4 14v-2a8 8 0 0 1 16 0v2"/><rect x="3" y="13" width="4" height="6" rx="1.5"/><rect x="17" y="13" width="4" height="6" rx="1.5"/>',
  "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>',
  "login": '<path d="M14 4h5v16h-5"/><path d="M3 12h11M10 8l4 4-4 4"/>',
  "logout": '<path d="M10 4H5v16h5"/><path d="M9 12h12M17 8l4 4-4 4"/>',
  "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
  "close": '<path d="M6 6l12 12M18 6L6 18"/>',
  "star": '<path d="M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z"/>',
  "verified": '<path d="M12 3l7 3v5c0 5-3 8-7 10-4-2-7-5-7-10V6z"/><path d="M8.5 12l2.5 2.5 4.5-5"/>',
  "pin": '<path d="M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z"/><circle cx="12" cy="10" r="2.5"/>',
  "phone": '<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"/>',
  "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
  "file": '<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4M9 12h6M9 16h6"/>',
  "file-plus": '<path d="M6 3h8l4 4v14H6z"/><path d="M14 3v4h4M12 11v6M9 14h6"/>',
  "inbox": '<path d="M3 13l3-8h12l3 8v6H3z"/><path d="M3 13h5l1 3h6l1-3h5"/>',
  "messages": '<path d="M4 5h16v11H9l-5 4z"/>',
  "briefcase": '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M9 7V5h6v2M3 13h18"/>',
  "paperclip": '<path d="M20 11l-8 8a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7-7"/>',
  "flag": '<path d="M5 21V4M5 4h11l-2 4 2 4H5"/>',
  "share": '<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="6" r="2.5"/><circle cx="18" cy="18" r="2.5"/><path d="M8.2 10.8l7.6-3.6M8.2 13.2l7.6 3.6"/>',
  "filter": '<path d="M4 5h16l-6 8v5l-4 2v-7z"/>',
  "chevron": '<path d="M9 6l6 6-6 6"/>',
  "plus": '<path d="M12 5v14M5 12h14"/>',
  "check": '<path d="M5 12l5 5 9-10"/>',
  "send": '<path d="M21 3L3 11l7 3 3 7z"/><path d="M10 14l11-11"/>',
  "download": '<path d="M12 4v11M7 10l5 5 5-5M5 20h14"/>',
  "stamp": '<path d="M9 3h6v6l-1 3h-4L9 9z"/><path d="M5 12h14v4H5zM4 20h16"/>',
  "gavel": '<path d="M13 4l7 7M10 7l7 7M11.5 5.5l-5 5 3 3 5-5M8 12l-5 5 2 2 5-5M12 21h9"/>',
  "microscope": '<path d="M9 3l4 2-3 6-4-2z"/><path d="M11 8a6 6 0 0 1 4 10M5 21h14M8 21v-3h8"/>',
  "consult": '<path d="M3 5h12v8H7l-4 3z"/><path d="M17 9h4v8l-3-2h-7v-2"/>',
  "handshake": '<path d="M3 12l4-4 4 2 3-2 3 2 4 2-5 5-3-2-2 2-3-3z"/>',
  "key": '<circle cx="8" cy="14" r="4"/><path d="M11 11l9-9M17 5l2 2M15 7l2 2"/>',
  "gear": '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>',
  "question": '<circle cx="12" cy="12" r="9"/><path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17h0"/>',
  "alert": '<circle cx="12" cy="12" r="9"/><path d="M12 7v6M12 16.5h0"/>',
  "reply": '<path d="M10 6L4 12l6 6M4 12h10a6 6 0 0 1 6 6"/>',
  "square": '<rect x="4" y="4" width="16" height="16" rx="3"/>',
  "square-check": '<rect x="4" y="4" width="16" height="16" rx="3"/><path d="M8 12l3 3 5-6"/>',
  "check-double": '<path d="M2 12l5 5 9-10M12 16l1 1 9-10"/>',
  "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
}

FONT_AWESOME = {"fa-stamp": "stamp", "fa-gavel": "gavel", "fa-microscope": "microscope", "fa-scale-balanced": "scale",
  "fa-user-tie": "scale", "fa-comments": "consult", "fa-magnifying-glass": "search", "fa-flag": "flag",
  "fa-paperclip": "paperclip", "fa-star": "star", "fa-briefcase": "briefcase", "fa-circle-check": "verified",
  "fa-check": "check", "fa-xmark": "close", "fa-plus": "plus", "fa-paper-plane": "send", "fa-handshake": "handshake",
  "fa-file-lines": "file", "fa-download": "download", "fa-user": "user", "fa-inbox": "inbox", "fa-id-card": "user",
  "fa-headset": "support", "fa-gear": "gear", "fa-key": "key", "fa-reply": "reply", "fa-file-circle-plus": "file-plus",
  "fa-circle-question": "question", "fa-circle-exclamation": "alert", "fa-clock-rotate-left": "clock",
  "fa-square": "square", "fa-square-check": "square-check", "fa-check-double": "check-double"}


def icon(name: str, cls: str = "") -> Markup:
    """The SVG of ``name`` (a name of PATHS or a Font Awesome name), hidden from screen readers:
    the text beside it says what it means."""
    drawing = PATHS.get(FONT_AWESOME.get(name, name)) or PATHS["file"]
    classes = f"icon {escape(cls)}" if cls else "icon"
    return Markup(f'<svg class="{classes}" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" '
                  f'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">'
                  f"{drawing}</svg>")
