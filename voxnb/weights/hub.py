"""Weights that live on a model hub: fetch once into $VOXNB_CACHE, verify, and hand engines a local path.

An engine never downloads by itself: it is given ``model_dir(name)``, which holds the files of its
``WeightsSpec`` and a ``voxnb-manifest.json`` (size and sha256 of every file) written after they were
verified. ``fetch`` gets the files from ModelScope (default on mainland-China clouds) or Hugging Face
(honouring ``HF_ENDPOINT`` and proxy variables), each file from a source that has it (``hub_sources``),
resuming partial downloads and checking sizes and checksums where the hub lists them;
``fetch(..., source_dir=DIR)`` takes files placed by hand; ``sources(spec)`` says where each file comes
from. A licence that needs consent (F5-TTS weights are CC-BY-NC) is shown and accepted once; the
acceptance is kept in the cache.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Callable

from ..paths import cache_dir
from . import sources as hub_sources
from .sources import repo_for
from .spec import SOURCE_ENV, SOURCES, LicenceError, Part, WeightsError, WeightsSpec

MANIFEST = "voxnb-manifest.json"
# -- where ------------------------------------------------------------------------------------------
def model_dir(name: str) -> Path:
    """``$VOXNB_<NAME>_DIR`` if set, else ``$VOXNB_CACHE/models/<name>``."""
    override = os.environ.get(f"VOXNB_{name.upper()}_DIR")
    return Path(override).expanduser() if override else cache_dir() / "models" / name


def default_source() -> str:
    """ModelScope on AutoDL and PAI-DSW (Hugging Face is slow or blocked there), else Hugging Face."""
    chosen = os.environ.get(SOURCE_ENV, "").strip().lower()
    if chosen:
        if chosen not in SOURCES:
            raise WeightsError(f"{SOURCE_ENV}={chosen!r} is not a model source.", f"Use one of: {', '.join(SOURCES)}.")
        return chosen
    china = os.path.isdir("/root/autodl-tmp") or any(
        os.environ.get(k) for k in ("DSW_INSTANCE_ID", "PAI_DSW_INSTANCE_ID", "PAI_INSTANCE_ID"))
    return "modelscope" if china else "hf"


def sources(spec: WeightsSpec, source: str | None = None) -> list[dict]:
    """Where every file of ``spec`` comes from: ``[{file, source, repo, url, fallback}]``.

    ``file`` is the path in the model directory (a whole-repository part: its folder with a trailing
    ``/``, and ``url`` the repository's page); ``source`` is 'hf' or 'modelscope' (a part with no
    ModelScope copy is 'hf' whatever is asked); ``fallback`` is the package's copy taken when the hub
    lacks the file (``package:f5_tts/infer/examples/vocab.txt``), else None. No network is used.
    """
    return hub_sources.sources(spec, source or default_source())


def by_hand(spec: WeightsSpec, source: str | None = None) -> str:
    """How to place the files without voxnb's downloader."""
    return hub_sources.by_hand(spec, source or default_source())


# -- the manifest -----------------------------------------------------------------------------------
def sha256_of(path: Path, chunk: int = 1 << 22) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check(spec: WeightsSpec, directory: Path | None = None, deep: bool = False) -> Path:
    """The model directory if every file is there with its recorded size (and checksum when ``deep``)."""
    directory = directory or model_dir(spec.name)
    manifest = read_manifest(directory)
    if manifest is None:
        raise WeightsError(f"The {spec.title} weights are not in {directory}.",
                           f"Run `voxnb fetch {spec.name}` (about {spec.size_hint_gb:g} GB), or place them by hand: "
                           f"{by_hand(spec)}.")
    for rel in dict.fromkeys([*spec.files(), *manifest.get("files", {})]):
        rec = manifest.get("files", {}).get(rel)
        path = directory / rel
        problem = None
        if rec is None or not path.is_file():
            problem = f"{rel} is missing"
        elif path.stat().st_size != rec["size"]:
            problem = f"{rel} has {path.stat().st_size} bytes, not {rec['size']}"
        elif deep and sha256_of(path) != rec["sha256"]:
            problem = f"{rel} does not match its checksum"
        if problem:
            raise WeightsError(f"The {spec.title} weights in {directory} are incomplete: {problem}.",
                               f"Run `voxnb fetch {spec.name}` again (it resumes), or place the file by hand: "
                               f"{by_hand(spec)}.")
    return directory


def _present(spec: WeightsSpec, directory: Path) -> list[str]:
    """Every file of the spec: named ones, and all files a snapshot part brought."""
    out = []
    for part in spec.parts:
        if part.files:
            out += [part.local_path(f) for f in part.files]
        else:
            base = directory / part.local if part.local else directory
            out += sorted(str(p.relative_to(directory)) for p in base.rglob("*")
                          if p.is_file() and not any(s.startswith(".") for s in p.relative_to(directory).parts)
                          and p.name != MANIFEST and p.name not in spec.optional)
    return out


def _write_manifest(spec: WeightsSpec, directory: Path, source: str, expected: dict[str, dict]) -> dict:
    files = {}
    for rel in _present(spec, directory):
        path = directory / rel
        size, digest = path.stat().st_size, sha256_of(path)
        want = expected.get(rel, {})
        if want.get("size") is not None and want["size"] != size:
            path.unlink()
            raise WeightsError(f"{rel} of {spec.title} arrived with {size} bytes, not the {want['size']} the hub lists.",
                               f"Run `voxnb fetch {spec.name}` again; it was removed and will be fetched anew.")
        if want.get("sha256") and want["sha256"] != digest:
            path.unlink()
            raise WeightsError(f"{rel} of {spec.title} does not match the checksum the hub lists.",
                               f"Run `voxnb fetch {spec.name}` again; the corrupt file was removed.")
        files[rel] = {"size": size, "sha256": digest, "verified_against_hub": bool(want.get("sha256")),
                      **{k: want[k] for k in ("source", "repo", "url") if want.get(k)}}
    manifest = {"name": spec.name, "title": spec.title, "source": source, "fetched": time.strftime("%Y-%m-%d %H:%M:%S"),
                "files": files}
    tmp = directory / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return manifest


# -- licences ---------------------------------------------------------------------------------------
def _licence_file(spec: WeightsSpec) -> Path:
    return cache_dir() / "licences" / f"{spec.name}.accepted"


def licence_accepted(spec: WeightsSpec) -> bool:
    return not spec.licence or _licence_file(spec).is_file()


def accept_licence(spec: WeightsSpec, accept: bool = False, ask: Callable[[str], str] | None = None,
                   progress: Callable[[str], None] = print) -> None:
    """Record consent once: given (``accept``), or asked on a terminal; otherwise refuse clearly."""
    if licence_accepted(spec):
        return
    progress(f"{spec.title} weights are licensed {spec.licence} ({spec.licence_url}).")
    if not accept and ask is not None:
        accept = ask(f"Accept the {spec.licence} licence of the {spec.title} weights? [y/N] ").strip().lower() in ("y", "yes")
    if not accept:
        raise LicenceError(f"The {spec.title} weights are licensed {spec.licence} ({spec.licence_url}), "
                           "which you have not accepted yet.",
                           f"Read it, then run `voxnb fetch {spec.name} --accept-licence` "
                           f"(or `bash 1-click-start.sh --engine {spec.name} --accept-licence`).")
    path = _licence_file(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{spec.licence} {spec.licence_url} accepted {time.strftime('%Y-%m-%d %H:%M:%S')}\n",
                    encoding="utf-8")


# -- fetching ---------------------------------------------------------------------------------------
def _from_directory(spec: WeightsSpec, source_dir: Path, directory: Path) -> None:
    """Take files placed by hand: DIR/<local path> or DIR/<path in the repo> (a hub snapshot's layout)."""
    for part in spec.parts:
        names = part.files or tuple(str(p.relative_to(source_dir)) for p in source_dir.rglob("*")
                                    if p.is_file() and p.name != MANIFEST and not p.name.startswith("."))
        for need in part.required:
            if need not in names:
                raise WeightsError(f"{source_dir} has no {need} (needed for {spec.title}).",
                                   f"Place the whole repository there (from {repo_for(part, default_source())}).")
        for file in names:
            rel = part.local_path(file)
            candidates = [source_dir / rel, source_dir / file, source_dir / Path(file).name]
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise WeightsError(f"{source_dir} has no {rel} (needed for {spec.title}).",
                                   f"Place it there (from {repo_for(part, default_source())}) and run the command again.")
            dest = directory / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.resolve() == found.resolve():
                continue
            tmp = dest.with_name(f".{dest.name}.tmp")
            try:
                os.link(found, tmp)          # same disk: no copy of gigabytes
            except OSError:
                shutil.copyfile(found, tmp)
            os.replace(tmp, dest)
    for rel in spec.optional:
        if (source_dir / rel).is_file():
            shutil.copyfile(source_dir / rel, directory / rel)


def fetch(spec: WeightsSpec, source: str | None = None, source_dir: str | Path | None = None, accept: bool = False,
          ask: Callable[[str], str] | None = None, progress: Callable[[str], None] = print) -> str:
    """Make ``spec``'s files present and verified in ``model_dir``; returns a one-line summary."""
    directory = model_dir(spec.name)
    accept_licence(spec, accept=accept, ask=ask, progress=progress)
    if source_dir is None:
        try:
            check(spec, directory)
            return f"{spec.name}: {directory} (present, sizes match the manifest)"
        except WeightsError:
            pass
    directory.mkdir(parents=True, exist_ok=True)
    if source_dir is not None:
        _from_directory(spec, Path(source_dir).expanduser(), directory)
        manifest = _write_manifest(spec, directory, f"local:{source_dir}", {})
        return f"{spec.name}: {directory} ({len(manifest['files'])} files from {source_dir}, checksums recorded)"
    source = source or default_source()
    if source not in SOURCES:
        raise WeightsError(f"{source!r} is not a model source.", f"Use one of: {', '.join(SOURCES)}.")

    expected: dict[str, dict] = {}
    for part in spec.parts:
        expected.update(hub_sources.fetch_part(spec, part, source, directory, progress))
    manifest = _write_manifest(spec, directory, source, expected)
    checked = sum(1 for f in manifest["files"].values() if f["verified_against_hub"])
    came = sorted({f.get("source", source) for f in manifest["files"].values()})
    return (f"{spec.name}: {directory} ({len(manifest['files'])} files from {', '.join(came)}, "
            f"{checked} checked against the hub's sha256, the rest by size where listed)")


def ask_on_terminal() -> Callable[[str], str] | None:
    """A prompt when a person is at the terminal; None in CI and scripts (then consent must be given)."""
    return input if sys.stdin is not None and sys.stdin.isatty() else None
