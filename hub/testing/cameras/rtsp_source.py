"""A local RTSP test source: Debian's gst-rtsp-server serving a videotestsrc
with a clock overlay on loopback, one shared encoder for every mount path.

Run with Debian's interpreter (python3-gi is bound to it, not to a venv):

    /usr/bin/python3 rtsp_source.py --port 0 --mounts 20

It prints `READY <port>` once it listens, then serves rtsp://127.0.0.1:<port>/cam/<n>
(n = 1..mounts) until killed. Every path shares one pipeline: the factory's
media key is the same for all of them, so 500 paths cost one encoder.
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true pattern=ball"
    " ! video/x-raw,width={width},height={height},framerate={fps}/1"
    ' ! clockoverlay time-format="%H:%M:%S" halignment=right valignment=top'
    " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop} bitrate=300"
    " ! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )"
)


class SharedFactory(GstRtspServer.RTSPMediaFactory):
    """One media (one pipeline, one encoder) whatever the path asked."""

    def do_gen_key(self, url):
        return "shared"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mounts", type=int, default=1)
    parser.add_argument("--fps", type=int, default=10)
    parser.add_argument("--gop", type=int, default=10, help="frames between keyframes")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=180)
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = SharedFactory()
    factory.set_launch(
        PIPELINE.format(width=args.width, height=args.height, fps=args.fps, gop=args.gop)
    )
    factory.set_shared(True)
    mounts = server.get_mount_points()
    for n in range(1, args.mounts + 1):
        mounts.add_factory(f"/cam/{n}", factory)
    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        print("FAILED could not listen", flush=True)
        return 1
    print(f"READY {server.get_bound_port()}", flush=True)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
