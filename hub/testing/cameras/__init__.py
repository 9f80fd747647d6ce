"""Camera simulators for tests, benchmarks and demos: a fake ONVIF device,
fake Hikvision and Dahua event streams, and a local RTSP test source."""

from importlib.resources import files

#: a small JPEG the fakes answer snapshot requests with
SAMPLE_JPEG: bytes = files(__package__).joinpath("sample.jpg").read_bytes()
