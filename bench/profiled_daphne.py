"""daphne under pyinstrument, for `python -m bench.run --profile`.

    python -m bench.profiled_daphne <output prefix> <daphne arguments…>

Two profilers, because Atelier's work happens in two threads: the event loop (daphne, Channels,
the consumer and the relay's fan-out) and asgiref's single thread for sync code (every Django
view and every `database_sync_to_async` call, which are thread-sensitive). Each profile is
written as text and HTML next to the prefix when daphne stops (SIGINT).
"""

import sys
from pathlib import Path

from asgiref.sync import SyncToAsync
from pyinstrument import Profiler


def main() -> None:
    prefix, argv = Path(sys.argv[1]), sys.argv[2:]
    loop_profiler = Profiler(interval=0.001, async_mode="disabled")
    sync_profiler = Profiler(interval=0.001, async_mode="disabled")
    loop_profiler.start()
    SyncToAsync.single_thread_executor.submit(sync_profiler.start).result()
    from daphne.cli import CommandLineInterface

    try:
        CommandLineInterface().run(argv)
    finally:
        loop_profiler.stop()
        SyncToAsync.single_thread_executor.submit(sync_profiler.stop).result()
        for name, profiler in (("loop", loop_profiler), ("sync", sync_profiler)):
            text = profiler.output_text(unicode=False, color=False, show_all=False)
            prefix.with_name(f"{prefix.name}.{name}.txt").write_text(text)
            prefix.with_name(f"{prefix.name}.{name}.html").write_text(
                profiler.output_html()
            )
            profiler.last_session.save(
                str(prefix.with_name(f"{prefix.name}.{name}.pyisession"))
            )


if __name__ == "__main__":
    main()
