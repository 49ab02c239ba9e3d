"""The build refuses to make a package without the engine jar: such a package would install and then fail at
its first open(). bindings/package.sh puts the jar in place and builds the wheel."""

from pathlib import Path

from setuptools import setup

JAR = Path(__file__).resolve().parent / "src" / "ferrumdb" / "jars" / "ferrumdb-bindings.jar"

if not JAR.is_file():
    raise SystemExit(f"refusing to build ferrumdb without the engine jar at {JAR}; build the packages with "
                     "bindings/package.sh")

setup()
