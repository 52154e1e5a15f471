"""Child: answer once in a throw-away process, so one-time work (the ONNX query-model export, if the
index build did not do it) is not counted as serving time or serving memory.

    python -m benchmarks.child_prepare '{"corpus": DIR, "data": DIR}'
"""

import json
import sys
from pathlib import Path

from bot.answer import Answerer
from bot.settings import Settings


def main(params: dict) -> dict:
    settings = Settings.from_env(corpus_dir=Path(params["corpus"]), data_dir=Path(params["data"]))
    Answerer(settings).answer("warm up")
    return {}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
