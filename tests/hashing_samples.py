"""Sample files of every format the hashing wizard accepts, written at test time.

Pillow writes most; the formats it cannot write (PSD, MIFF, XPM, XCF, DICOM) are
written here from their specifications, HEIC through pillow-heif, 16-bit PNG through ffmpeg.
"""

import struct
import subprocess

import numpy as np
from PIL import Image


def write_psd(path, rgb):
    """A flat RGB Photoshop file: no layers, raw planar composite."""
    height, width = rgb.shape[:2]
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    empty_sections = struct.pack(">III", 0, 0, 0)  # colour mode data, resources, layers
    planes = b"".join(np.ascontiguousarray(rgb[:, :, c]).tobytes() for c in range(3))
    path.write_bytes(header + empty_sections + struct.pack(">H", 0) + planes)


def write_miff(path, rgb):
    """ImageMagick's own format, uncompressed."""
    height, width = rgb.shape[:2]
    header = (
        f"id=ImageMagick  version=1.0\nclass=DirectClass  colorspace=sRGB  depth=8\n"
        f"columns={width}  rows={height}  compression=None\n\f\n:\x1a"
    ).encode()
    path.write_bytes(header + np.ascontiguousarray(rgb).tobytes())


XPM_CHARS = "".join(chr(c) for c in range(35, 127) if chr(c) not in '"\\')


def write_xpm(path, rgb):
    """A palette XPM, one character per pixel; returns the 64-colour pixels it holds."""
    image = Image.fromarray(rgb).quantize(64)
    palette = np.array(image.getpalette()[: 3 * 64]).reshape(-1, 3)
    indices = np.asarray(image)
    height, width = indices.shape
    lines = [f'"{width} {height} {len(palette)} 1"']
    lines += [f'"{XPM_CHARS[i]} c #{r:02X}{g:02X}{b:02X}"' for i, (r, g, b) in enumerate(palette)]
    lines += ['"' + "".join(XPM_CHARS[i] for i in row) + '"' for row in indices]
    path.write_text("/* XPM */\nstatic char *picture[] = {\n" + ",\n".join(lines) + "\n};\n")
    return np.asarray(image.convert("RGB"))


def _xcf_rle(channel):
    """GIMP's RLE with literal runs only: opcode 256 - n, then n bytes (n <= 127)."""
    data = channel.tobytes()
    out = bytearray()
    for start in range(0, len(data), 127):
        chunk = data[start : start + 127]
        out += bytes([256 - len(chunk)]) + chunk
    return bytes(out)


def _xcf_property(kind, payload=b""):
    return struct.pack(">II", kind, len(payload)) + payload


def write_xcf(path, rgb):
    """A one-layer GIMP file: format version 0, RLE-compressed 64x64 tiles."""
    height, width = rgb.shape[:2]
    image_properties = _xcf_property(17, b"\x01") + _xcf_property(0)  # compression: RLE; end
    header = b"gimp xcf file\x00" + struct.pack(">III", width, height, 0) + image_properties
    layer_at = len(header) + 12  # then: layer pointer, 0, no channel pointers (0)
    name = b"Background\x00"
    layer = (
        struct.pack(">IIII", width, height, 0, len(name))
        + name
        + _xcf_property(6, struct.pack(">I", 255))  # opacity
        + _xcf_property(8, struct.pack(">I", 1))  # visible
        + _xcf_property(15, struct.pack(">ii", 0, 0))  # offsets
        + _xcf_property(0)
    )
    hierarchy_at = layer_at + len(layer) + 8  # then: hierarchy pointer, no mask (0)
    level_at = hierarchy_at + 20  # width, height, bytes per pixel, level pointer, 0
    tiles = [
        b"".join(_xcf_rle(np.ascontiguousarray(rgb[y : y + 64, x : x + 64, c])) for c in range(3))
        for y in range(0, height, 64)
        for x in range(0, width, 64)
    ]
    offset = level_at + 12 + 4 * len(tiles)  # width, height, tile pointers, 0
    pointers = []
    for tile in tiles:
        pointers.append(offset)
        offset += len(tile)
    path.write_bytes(
        header
        + struct.pack(">III", layer_at, 0, 0)
        + layer
        + struct.pack(">II", hierarchy_at, 0)
        + struct.pack(">IIIII", width, height, 3, level_at, 0)
        + struct.pack(f">II{len(tiles)}II", width, height, *pointers, 0)
        + b"".join(tiles)
    )


def write_dcm(path, rgb):
    """An 8-bit grey DICOM file; returns the grey pixels (as RGB) it holds."""
    import pydicom
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = pydicom.Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "OT"
    dataset.Rows, dataset.Columns = grey.shape
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = "MONOCHROME2"
    dataset.BitsAllocated = dataset.BitsStored = 8
    dataset.HighBit = 7
    dataset.PixelRepresentation = 0
    dataset.PixelData = grey.tobytes()
    dataset.save_as(path, enforce_file_format=True)
    return np.repeat(grey[:, :, None], 3, axis=2)


def write_heic(path, rgb):
    import pillow_heif

    pillow_heif.from_bytes(mode="RGB", size=(rgb.shape[1], rgb.shape[0]), data=rgb.tobytes()).save(
        path, quality=95
    )


def pillow_writer(**options):
    def write(path, rgb):
        Image.fromarray(rgb).save(path, **options)

    return write


def write_gif(path, rgb):
    Image.fromarray(rgb).quantize(256).save(path)


def write_grey_png(path, rgb):
    Image.fromarray(rgb).convert("L").save(path)


def write_transparent_png(path, rgb):
    """RGBA with the left half fully transparent: its stored colours are what count."""
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, : rgb.shape[1] // 2] = 0
    Image.fromarray(np.dstack([rgb, alpha])).save(path)


def write_transparent_palette_png(path, rgb):
    """A palette PNG whose most used colour is transparent (a tRNS chunk)."""
    image = Image.fromarray(rgb).quantize(256)
    image.save(path, transparency=int(np.bincount(np.asarray(image).ravel()).argmax()))


def write_transparent_gif(path, rgb):
    """A GIF whose most used colour is transparent."""
    image = Image.fromarray(rgb).quantize(256)
    image.save(path, transparency=int(np.bincount(np.asarray(image).ravel()).argmax()))


def write_transparent_webp(path, rgb, **options):
    """A WebP with alpha, its left half transparent; ``exact`` keeps the colours there."""
    alpha = np.full(rgb.shape[:2], 255, np.uint8)
    alpha[:, : rgb.shape[1] // 2] = 0
    Image.fromarray(np.dstack([rgb, alpha])).save(path, exact=True, **options)


def ffmpeg(*arguments, stdin=None):
    """Run ffmpeg quietly, overwriting its output; ``stdin`` is fed to ``-i -``."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *arguments], input=stdin, check=True)


def raw_rgb_input(rgb, *rate):
    """ffmpeg's input options for RGB frames of ``rgb``'s size on stdin."""
    height, width = rgb.shape[:2]
    return ("-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", *rate, "-i", "-")


def write_16_bit_png(path, rgb):
    """16 bits a channel with alpha (ffmpeg scales each value by 257, so 8-bit reads agree)."""
    ffmpeg(*raw_rgb_input(rgb), "-pix_fmt", "rgba64be", str(path), stdin=rgb.tobytes())


def write_rotated_jpeg(path, rgb):
    """A JPEG whose EXIF says 'rotate 90° clockwise to display' (orientation 6)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(rgb).save(path, quality=92, exif=exif)


# file name -> writer(path, rgb); a writer may return the pixels the file really holds
WRITERS = {
    "photo.jpeg": pillow_writer(quality=92),
    "photo.jpg": pillow_writer(quality=75, subsampling=2),
    "exif-rotated.jpg": write_rotated_jpeg,
    "photo.png": pillow_writer(),
    "grey.png": write_grey_png,
    "transparent.png": write_transparent_png,
    "transparent-palette.png": write_transparent_palette_png,
    "deep.png": write_16_bit_png,
    "photo.gif": write_gif,
    "transparent.gif": write_transparent_gif,
    "photo.bmp": pillow_writer(),
    "photo.ico": pillow_writer(sizes=[(256, 256)]),
    "photo.webp": pillow_writer(quality=90),
    "transparent.webp": lambda path, rgb: write_transparent_webp(path, rgb, lossless=True),
    "transparent-lossy.webp": lambda path, rgb: write_transparent_webp(path, rgb, quality=90),
    "photo.avif": pillow_writer(quality=90),
    "photo.tiff": pillow_writer(compression="tiff_lzw"),
    "photo.tga": pillow_writer(),
    "photo.pcx": pillow_writer(),
    "photo.psd": write_psd,
    "photo.xpm": write_xpm,
    "photo.miff": write_miff,
    "photo.xcf": write_xcf,
    "scan.dcm": write_dcm,
    "phone.heic": write_heic,
}
