"""Checks on an uploaded Excel file before anything reads it: size, real .xlsx, no zip bomb."""

import io
import zipfile

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100


class UploadRejected(ValueError):
    """The whole file is refused; the message is for the user."""


def checked_xlsx(upload) -> io.BytesIO:
    """The upload as a stream, or ``UploadRejected`` with a Chinese message."""
    if upload is None:
        raise UploadRejected("请选择要导入的 Excel 文件。")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"文件过大（{size // 1024} KB），导入文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"文件过大，导入文件不能超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise UploadRejected("只能导入 .xlsx 格式的 Excel 文件。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        packed = max(sum(info.compress_size for info in archive.infolist()), 1)
    except (zipfile.BadZipFile, ValueError):
        raise UploadRejected("文件不是有效的 .xlsx 文件（可能是改了扩展名的其他文件，或文件已损坏）。") from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRejected("文件不是有效的 .xlsx 工作簿。")
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise UploadRejected("文件解压后过大，疑似压缩炸弹，已拒绝。")
    return io.BytesIO(data)
