"""A small writer for OLE2 compound files (CFB v3), so tests can build .doc, .xls and .msg.

No permissively licensed Python library writes these legacy formats, and the scanner
must be tested on files the tests generate, so this implements just enough of
[MS-CFB]: 512-byte sectors, a FAT, a mini stream for streams under 4096 bytes and
nested storages.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


@dataclass
class _Node:
    """A directory entry: the root (type 5), a storage (1) or a stream (2)."""

    name: str
    type: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    start: int | None = None  # first sector, once laid out
    size: int | None = None  # the root's mini stream size (streams use len(data))


def _cfb_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """Build a compound file from ``{"Storage/Stream": data}`` (storages implied by paths)."""
    # Directory tree: node 0 is the root; storages and streams by path.
    nodes = [_Node("Root Entry", 5)]
    index_of = {"": 0}
    for path in sorted(streams):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            storage = "/".join(parts[:depth])
            if storage not in index_of:
                index_of[storage] = len(nodes)
                nodes.append(_Node(parts[depth - 1], 1))
                parent = nodes[index_of["/".join(parts[: depth - 1])]]
                parent.children.append(index_of[storage])
        index_of[path] = len(nodes)
        nodes.append(_Node(parts[-1], 2, streams[path]))
        nodes[index_of["/".join(parts[:-1])]].children.append(index_of[path])

    # Mini stream for small streams, regular sectors for large ones.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    big: list[tuple[int, bytes]] = []
    for i, node in enumerate(nodes):
        data = node.data
        if node.type != 2:
            continue
        if len(data) < CUTOFF:
            start = len(mini_stream) // MINI
            count = max(1, -(-len(data) // MINI))
            node.start = start if data else END
            if data:
                for k in range(count):
                    mini_fat.append(start + k + 1 if k < count - 1 else END)
                mini_stream += data + b"\0" * (count * MINI - len(data))
        else:
            big.append((i, data))

    sectors: list[bytes] = []
    fat: list[int] = []

    def add_chain(data: bytes) -> int:
        if not data:
            return END
        start = len(sectors)
        count = -(-len(data) // SECTOR)
        for k in range(count):
            sectors.append(data[k * SECTOR : (k + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(start + k + 1 if k < count - 1 else END)
        return start

    for i, data in big:
        nodes[i].start = add_chain(data)
    nodes[0].start = add_chain(bytes(mini_stream))
    nodes[0].size = len(mini_stream)
    mini_fat_bytes = b"".join(struct.pack("<I", v) for v in mini_fat)
    mini_fat_start = add_chain(mini_fat_bytes) if mini_fat else END
    mini_fat_count = -(-len(mini_fat_bytes) // SECTOR) if mini_fat else 0

    # Directory entries: children chained through right-sibling links, sorted CFB order.
    left = [NOSTREAM] * len(nodes)
    right = [NOSTREAM] * len(nodes)
    child = [NOSTREAM] * len(nodes)
    for i, node in enumerate(nodes):
        kids = sorted(node.children, key=lambda k: _cfb_key(nodes[k].name))
        if kids:
            child[i] = kids[0]
            for a, b in zip(kids, kids[1:], strict=False):
                right[a] = b
    entries = bytearray()
    for i, node in enumerate(nodes):
        name = node.name.encode("utf-16-le") + b"\0\0"
        size = node.size if node.size is not None else len(node.data)
        start = node.start if node.start is not None else (END if node.type == 1 else 0)
        if node.type == 1:
            start, size = 0, 0
        entries += struct.pack(
            "<64sHBBIII16sIQQIII",
            name.ljust(64, b"\0"), len(name), node.type, 1,
            left[i], right[i], child[i], b"\0" * 16, 0, 0, 0, start, size, 0,
        )  # fmt: skip
    while len(entries) % SECTOR:
        entries += struct.pack(
            "<64sHBBIII16sIQQIII",
            b"\0" * 64,
            0,
            0,
            0,
            NOSTREAM,
            NOSTREAM,
            NOSTREAM,
            b"\0" * 16,
            0,
            0,
            0,
            0,
            0,
            0,
        )
    dir_start = add_chain(bytes(entries))

    # FAT sectors go last; they must also describe themselves.
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (SECTOR // 4):
        n_fat += 1
    fat_start = len(sectors)
    fat.extend([FATSECT] * n_fat)
    fat.extend([FREE] * (n_fat * (SECTOR // 4) - len(fat)))
    fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
    for k in range(n_fat):
        sectors.append(fat_bytes[k * SECTOR : (k + 1) * SECTOR])
    assert n_fat <= 109, "test files are small; DIFAT sectors are not needed"
    difat = [fat_start + k for k in range(n_fat)] + [FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6,
        0, n_fat, dir_start, 0, CUTOFF, mini_fat_start, mini_fat_count, END, 0,
    )  # fmt: skip
    header += b"".join(struct.pack("<I", v) for v in difat)
    assert len(header) == SECTOR
    return header + b"".join(sectors)
