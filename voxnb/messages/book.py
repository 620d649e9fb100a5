"""Messages of book: key -> (en, zh)."""

MESSAGES = {
    "book.unknown_kind": (
        "voxnb cannot read {name} as a book: its extension {suffix} is not one it knows.",
        "voxnb 无法把 {name} 当作书来读：不认识扩展名 {suffix}。"),
    "book.unknown_kind.fix": (
        "Give a file ending in one of {kinds} (plain text, Markdown or EPUB); save a Word or PDF file as "
        "plain text (.txt, UTF-8) first.",
        "请给出以 {kinds} 结尾的文件（纯文本、Markdown 或 EPUB）；Word 或 PDF 请先另存为纯文本（.txt，UTF-8）。"),
    "book.not_found": (
        "There is no file {path}.",
        "没有文件 {path}。"),
    "book.not_found.fix": (
        "Check the path (ls shows what is there), or give the full path to the book.",
        "请检查路径（用 ls 查看），或给出书的完整路径。"),
    "book.not_utf8": (
        "{name} is not UTF-8 text (line {line}, byte {byte} is the first that is not).",
        "{name} 不是 UTF-8 文本（第 {line} 行、第 {byte} 字节起不是）。"),
    "book.not_utf8.fix": (
        "Save it as UTF-8 (in most editors: Save As, Encoding UTF-8), or convert it, e.g. "
        "iconv -f GB18030 -t UTF-8 book.txt > book-utf8.txt for a Chinese text.",
        "请另存为 UTF-8（多数编辑器：另存为，编码选 UTF-8），或转换编码，例如中文文本："
        "iconv -f GB18030 -t UTF-8 book.txt > book-utf8.txt。"),
    "book.empty": (
        "{name} has nothing to speak (it is empty, or holds no letters or digits).",
        "{name} 没有可朗读的内容（文件为空，或没有任何文字和数字）。"),
    "book.empty.fix": (
        "Give the file that holds the book's text.",
        "请给出包含书本正文的文件。"),
    "book.epub_no_text": (
        "The EPUB {name} holds no text to speak (its pages are images, or it has none).",
        "EPUB 文件 {name} 中没有可朗读的文字（页面都是图片，或者没有页面）。"),
    "book.epub_no_text.fix": (
        "A scanned book needs OCR first; or give the book as a .txt or .md file.",
        "扫描版的书需要先做文字识别（OCR）；或者把书的正文存成 .txt 或 .md 文件。"),
    "book.bad_epub": (
        "{name} cannot be read as an EPUB ({detail}).",
        "无法把 {name} 读作 EPUB（{detail}）。"),
    "book.bad_epub.fix": (
        "Check that the file is a whole EPUB (a zip that an e-book reader opens), or convert it to one "
        "with Calibre; or give the text as a .txt file.",
        "请确认文件是完整的 EPUB（电子书阅读器能打开的 zip 文件），或用 Calibre 转换；也可以给出 .txt 文本。"),
    "book.unknown_format": (
        "voxnb cannot write a book as {format}.",
        "voxnb 不能把书写成 {format} 格式。"),
    "book.unknown_format.fix": (
        "Use --format with one of {formats}.",
        "请用 --format 指定 {formats} 之一。"),
    "book.no_mp3": (
        "This installation's libsndfile does not write MP3.",
        "本机安装的 libsndfile 不能写 MP3。"),
    "book.no_mp3.fix": (
        "Update soundfile (pip install -U soundfile: its wheels bring libsndfile 1.1 or newer), or use --format m4b.",
        "请升级 soundfile（pip install -U soundfile，其安装包自带 libsndfile 1.1 或更新版本），或改用 --format m4b。"),
    "book.no_chapters": (
        "Chapter marks in {format} cannot be written here ({detail}).",
        "这里无法写入 {format} 的章节标记（{detail}）。"),
    "book.no_chapters.fix": (
        "For mp3: pip install mutagen; for m4b: pip install -U av (PyAV 14 or newer, with ffmpeg's AAC encoder).",
        "mp3 需要：pip install mutagen；m4b 需要：pip install -U av（PyAV 14 或更新版本，带 ffmpeg 的 AAC 编码器）。"),
    "book.no_audio": (
        "Nothing was written to {path}: it has no audio.",
        "{path} 没有写入任何音频。"),
    "book.progress": (
        "chapter {chapter}/{chapters} ({title}): {done}/{total} chunks{before}, {rate} chunks/min{left}",
        "第 {chapter}/{chapters} 章（{title}）：{done}/{total} 段{before}，每分钟 {rate} 段{left}"),
    "book.progress_before": (
        " ({n} done before)",
        "（{n} 段此前已完成）"),
    "book.progress_left": (
        ", about {left} left",
        "，约剩 {left}"),
    "book.wrote": (
        "wrote {file}: {chapters} chapters, {minutes} min of audio ({spoken} chunks spoken, {before} done before); "
        "chapter files and manifest in {out}",
        "已写入 {file}：{chapters} 章，音频 {minutes} 分钟（本次朗读 {spoken} 段，此前已完成 {before} 段）；"
        "各章文件和清单在 {out}"),
    "book.unfinished": (
        "{failed} chunks failed, so {chapters} chapters and the book file are not made yet; the rest is kept in {out}.",
        "有 {failed} 段失败，所以还有 {chapters} 章和整本书的文件没有生成；其余内容保存在 {out}。"),
    "book.unfinished.fix": (
        "Fix what the errors above name (the text, the engine) and run the same command again: only what is "
        "left is spoken.",
        "请按上面的错误修正（文本或引擎），再运行同一条命令：只会朗读剩下的部分。"),
    "book.chunk_failed": (
        "chapter {chapter}, chunk {chunk}: {error}",
        "第 {chapter} 章第 {chunk} 段：{error}"),
}
