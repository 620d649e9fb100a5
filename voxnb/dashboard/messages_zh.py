"""Errors and warnings from voxnb's core, in the viewer's language.

The core raises English ``VoxnbError(problem, fix)``; the dashboard shows it in the message area.
In Chinese mode a sentence is matched by a stable phrase (regex) and rebuilt from a Chinese template
that keeps what the user needs to act on: numbers, file names, markup snippets, positions. The core's
wording changes now and then, so any sentence no pattern knows falls back to a Chinese message for its
error class; zh mode never shows an English sentence as the message.
"""
from __future__ import annotations

import re

from ..errors import (BadReferenceError, CancelledError, ConsentRequiredError, EngineBusyError, EngineError,
                      EngineStoppedError, MarkupError, SettingsError, TextError, VoiceNotFoundError, VoxnbError)

# (pattern, template): the pattern is searched in the problem; the template is formatted with its groups
PROBLEMS: list[tuple[str, str]] = [
    # uploads and references (decode.py, audio.py)
    (r"^(?P<f>.+?) is an? PNG image", "{f} 是 PNG 图片，不是音频。"),
    (r"^(?P<f>.+?) is an? JPEG image", "{f} 是 JPEG 图片，不是音频。"),
    (r"^(?P<f>.+?) is an? GIF image", "{f} 是 GIF 图片，不是音频。"),
    (r"^(?P<f>.+?) is an? PDF document", "{f} 是 PDF 文档，不是音频。"),
    (r"^(?P<f>.+?) is an? ZIP archive", "{f} 是 ZIP 压缩包 (或 Office 文档)，不是音频。"),
    (r"^(?P<f>.+?) is an? program", "{f} 是程序文件，不是音频。"),
    (r"^(?P<f>.+?) is an? text file", "{f} 是文本文件，不是音频。"),
    (r"^(?P<f>.+?) is (?P<what>.+?), not audio", "{f} 不是音频文件。"),
    (r"^(?P<f>.+?): the file is 0 bytes", "{f} 是空文件 (0 字节)。"),
    (r"^(?P<f>.+?): the file is (?P<mb>[\d.]+) Mi?B, over the (?P<lim>[\d.]+) Mi?B",
     "{f} 大小 {mb} MB，超过上限 {lim} MB。"),
    (r"the file is (?P<mb>[\d.]+) Mi?B[,;] (?:over )?the (?:limit is )?(?P<lim>[\d.]+) Mi?B",
     "文件大小 {mb} MB，超过上限 {lim} MB。"),
    (r"^(?P<f>.+?) is a folder", "{f} 是文件夹，不是音频文件。"),
    (r"^(?P<f>.+?) is not a regular file", "{f} 不是普通文件。"),
    (r"^(?P<f>.+?): no such file", "找不到文件 {f}。"),
    (r"^(?P<f>.+?) has a header but no audio samples", "{f} 只有文件头，没有音频数据 (文件不完整)。"),
    (r"^(?P<f>.+?) is truncated", "{f} 不完整 (文件被截断)。"),
    (r"^(?P<f>.+?) is corrupt", "{f} 已损坏，无法解码。"),
    (r"^(?P<f>.+?) could not be decoded", "{f} 无法解码为音频。"),
    (r"^(?P<f>.+?) decodes to no audio samples", "{f} 解码后没有音频数据。"),
    (r"^(?P<f>.+?) holds (?P<min>[\d.]+) minutes of audio.*?(?P<lim>\d+)-minute",
     "{f} 长达 {min} 分钟，超过 {lim} 分钟的上限。"),
    (r"^(?P<f>.+?) decodes to .* over the limit", "{f} 解码后数据量过大，超过上限。"),
    (r"^Decoding (?P<ext>\S+) needs ffmpeg", "解码 {ext} 需要 ffmpeg，但系统未安装。"),
    (r"^(?P<f>.+?) contains (?P<n>\d+) NaN", "{f} 含有 {n} 个无效采样 (NaN 或无穷大)。"),
    (r"No speech found in the clip (?P<f>.+?): it is pure silence", "音频 {f} 中没有语音：完全是静音。"),
    (r"No speech found in the clip (?P<f>.+?):", "音频 {f} 中没有检测到语音：只有静音或噪声。"),
    (r"Only (?P<s>[\d.]+) s of speech in the clip (?P<f>.+?), need at least (?P<min>[\d.]+) s",
     "音频 {f} 中只有 {s} 秒语音，至少需要 {min} 秒。"),
    (r"The clip (?P<f>.+?) does not sound like human speech: (?P<why>.+?)\.?$", "音频 {f} 听起来不像人声：{why}。"),
    (r"^The array", "传入的音频数组无效。"),
    (r"^The sample rate", "采样率无效。"),
    (r"^A reference must be", "参考音频必须是文件路径或 (音频数组, 采样率)。"),
    # text (text/*.py)
    (r"^The text is empty", "文本为空。"),
    (r"^The text is (?P<n>[\d,]+) characters; the limit is (?P<lim>[\d,]+)", "文本有 {n} 个字符，上限是 {lim}。"),
    (r"^The text has nothing voxnb can speak: it is written in (?P<s>.+?) \((?P<x>.*)\), and",
     "文本中没有 voxnb 能朗读的内容：它是用{s}写的 ({x})，而 voxnb 只能朗读英语和普通话。"),
    (r"^The text has nothing speakable", "文本中没有可以朗读的内容 (只有表情、符号、标注或控制字符)。"),
    (r"^The text has a run of (?P<n>[\d,]+) letters with no space or punctuation \(characters (?P<a>\d+)-(?P<b>\d+)",
     "文本中有一串 {n} 个字母，中间没有空格或标点 (第 {a}-{b} 个字符)；没有这么长的单词。"),
    (r"^The text must be a string", "文本必须是字符串。"),
    (r"^Unknown language (?P<x>'[^']*')", "未知的语言 {x}。"),
    # markup (text/markup.py): the position is appended below
    (r"^A '\[' is never closed", "有一个“[”没有闭合。"),
    (r"^A '\]' has no '\['", "有一个“]”前面没有“[”。"),
    (r"^Empty brackets", "方括号“[]”里是空的。"),
    (r"^A '</strong>' has no '<strong>'", "有一个“</strong>”前面没有“<strong>”。"),
    (r"^A '<strong>' is never closed", "有一个“<strong>”没有闭合。"),
    (r"^A bracket group mixes pinyin and ARPAbet", "同一组方括号里混用了拼音和 ARPAbet 音标。"),
    (r"The initial '\[(?P<x>[^\]]*)\]' has no final", "声母“[{x}]”后面缺少韵母。"),
    (r"The final '\[(?P<x>[^\]]*)\]' has no tone", "韵母“[{x}]”缺少声调。"),
    (r"The pinyin '\[(?P<x>[^\]]*)\]' has no tone", "拼音“[{x}]”缺少声调。"),
    (r"The ARPAbet vowel '\[(?P<x>[^\]]*)\]' has no stress", "ARPAbet 元音“[{x}]”缺少重音数字。"),
    (r"'\[(?P<x>[^\]]*)\]' is not pinyin", "“[{x}]”不是拼音。"),
    (r"'\[(?P<x>[^\]]*)\]' is not an ARPAbet phone", "“[{x}]”不是 ARPAbet 音素。"),
    (r"'(?P<x>[^']*)' is not a Mandarin syllable", "“{x}”不是普通话音节。"),
    # settings (settings.py)
    (r"^Unknown style (?P<x>'[^']*')", "未知的风格 {x}。"),
    (r"^Speed (?P<x>\S+) is out of range", "语速 {x} 超出范围。"),
    (r"^Speed (?P<x>\S+) is not a number", "语速 {x} 不是数字。"),
    (r"^Seed (?P<x>\S+) is not valid", "随机种子 {x} 无效。"),
    (r"pause (?P<x>\S+) s is out of range", "停顿 {x} 秒超出范围。"),
    # voices (voice.py)
    (r"^No saved voice is called (?P<x>.+?)\.?$", "没有名为 {x} 的已保存声音。"),
    (r"^A different voice is already saved as (?P<x>.+?)\.?$", "已有另一个声音保存为 {x}。"),
    (r"^(?P<x>.+?) is not a usable voice name", "{x} 不能用作声音名称。"),
    (r"^(?P<x>.+?) is not a voxnb voice file", "{x} 不是 voxnb 声音文件。"),
    (r"^A voice file is already saved as (?P<x>'[^']*'), and it is damaged", "已保存为 {x} 的声音文件已损坏。"),
    (r"^(?P<x>.+?) is damaged: ", "声音文件 {x} 已损坏，voxnb 不会使用它。"),
    (r"^(?P<x>.+?) is a format (?P<n>\d+) voice file; this voxnb reads format (?P<m>\d+)",
     "{x} 是第 {n} 版声音文件，当前的 voxnb 只能读取第 {m} 版。"),
    (r"^(?P<x>.+?) cannot be read as a voice file", "无法把 {x} 作为声音文件读取。"),
    (r"^There is no voice file at (?P<x>.+?)\.?$", "{x} 处没有声音文件。"),
    # engines (engines/*, transcript.py, watermark.py): what a clone, refine, generate or transcribe can meet
    (r"^The Kokoro style map (?P<f>\S+) is missing", "Kokoro 的风格映射 {f} 缺失，无法优化声音。"),
    (r"^The Kokoro style map (?P<f>\S+) was built for another", "Kokoro 的风格映射 {f} 是为其他模型或方法构建的。"),
    (r"^Kokoro has no stock voice (?P<x>.+?)\.?$", "Kokoro 没有内置声音 {x}。"),
    (r"^Kokoro does not follow instructions", "Kokoro 不能按文字指令说话。"),
    (r"^Voice (?P<x>'[^']*') was made for the (?P<e>\S+) engine", "声音 {x} 是用 {e} 引擎做的。"),
    (r"^Voice (?P<x>'[^']*') has no transcript", "声音 {x} 没有参考文本，而此引擎需要它。"),
    (r"^(?P<e>\S+) has no stock voices", "{e} 没有内置声音：它用参考音频的声音说话。"),
    (r"^The reference is (?P<s>[\d.]+) s long; (?P<e>\S+) takes at most (?P<max>[\d.]+) s",
     "参考音频长 {s} 秒；{e} 最多使用 {max} 秒语音 (并需要与之完全一致的文本)。"),
    (r"^The reference is (?P<s>[\d.]+) s of speech; (?P<e>\S+) uses at most (?P<max>[\d.]+) s",
     "参考音频有 {s} 秒语音；{e} 最多使用 {max} 秒，并需要与之完全一致的文本。"),
    (r"^(?P<e>\S+) needs the reference's transcript, and ASR heard no words",
     "{e} 需要参考音频的文本，但语音识别没有听出任何词。"),
    (r"^(?P<e>\S+) needs the reference's transcript", "{e} 需要参考音频的文本，但 voxnb 无法自动转写这段音频。"),
    (r"^(?P<e>\S+) cannot read (?P<k>pinyin|ARPAbet) markup", "{e} 不能读 {k} 读音标注。"),
    (r"^(?P<e>\S+) has no (?P<x>.+?) control", "{e} 不支持这项设置。"),
    (r"^Unknown setting", "有未知的设置项。"),
    (r"^Unknown engine (?P<x>'[^']*')", "未知的引擎 {x}。"),
    (r"^No voxnb engine server is configured", "本内核没有配置 voxnb 引擎服务。"),
    (r"^No (?P<e>\S+) engine server is running", "{e} 引擎服务没有运行。"),
    (r"^The server at (?P<u>\S+) runs the (?P<a>\S+) engine, not (?P<b>\S+?)\.?$",
     "{u} 上运行的是 {a} 引擎，不是 {b}。"),
    (r"^The engine server at (?P<u>\S+) answered HTTP (?P<n>\d+)", "引擎服务 {u} 返回了 HTTP {n}。"),
    (r"^The engine server sent no (?:voice|result)", "引擎服务没有返回结果。"),
    (r"^The (?P<e>\S+) engine is busy: (?P<n>\d+) requests? waiting", "{e} 引擎正忙：有 {n} 个请求在排队。"),
    (r"^The (?P<e>\S+) engine's package", "此 Python 环境中没有安装 {e} 引擎的软件包。"),
    (r"weights are not in (?P<d>\S+?)\.?$", "模型权重不在 {d} 中。"),
    (r"weights .*are incomplete", "模型权重不完整。"),
    (r"^The Kokoro weight", "Kokoro 模型权重缺失或损坏。"),
    (r"^No Whisper model", "找不到语音识别 (Whisper) 模型。"),
    (r"^Transcribing language (?P<x>'[^']*') needs a multilingual", "转写 {x} 需要多语言的 Whisper 模型，这里只有纯英语模型。"),
    (r"^The watermarker", "水印工具 (resemble-perth) 没有安装或无法读取。"),
    # consent (consent.py)
    (r"needs your statement that you have the right to clone", "从上传的音频克隆声音前，需要你声明有权克隆这个声音。"),
]

FIXES: list[tuple[str, str]] = [
    (r"^Upload a WAV, FLAC, OGG or MP3", "请上传 3-30 秒人声的 WAV、FLAC、OGG 或 MP3 录音。"),
    (r"^Re-export or re-upload", "请重新导出或重新上传完整的文件 (WAV、FLAC、OGG 或 MP3，3-30 秒人声)。"),
    (r"^Record 3-30 s of one person", "请录制 3-30 秒单人清晰说话的音频：靠近麦克风，在安静的房间里。"),
    (r"^Record a longer clip", "请录制更长的音频：一个人说 5-15 秒最好。"),
    (r"^Upload a recording of a person speaking", "请上传真人用自己声音说话的录音 (3-30 秒)；音调、蜂鸣、噪声和音乐无法克隆。"),
    (r"^Upload a shorter clip|^Cut it to|^Cut out", "请上传更短的音频：3-30 秒人声即可。"),
    (r"^Re-export the recording", "请把录音重新导出为 16 位 PCM WAV 或 FLAC。"),
    (r"^apt-get install ffmpeg", "请安装 ffmpeg，或把文件转换为 WAV。"),
    (r"^Type something to say", "请输入要朗读的文字，例如“你好”。"),
    (r"^Shorten|^Split", "请缩短文本，或分成几段生成。"),
    (r"^Pass consent=True", "请勾选“我有权克隆这个声音”。"),
    (r"^Close it with", "请用“]”闭合。" + "拼音写作 [h][ào] 或 [hao4] (声调 1-5)，ARPAbet 写作 [M][AY0][N][UW1][T]，"
                                           "或用 [breath] 等标签。"),
    (r"^Rebuild it: (?P<cmd>.+?) \(", "请重建：{cmd} (约 10 分钟)。"),
    (r"^Pick a style preset instead", "请改用风格预设，或使用能按指令说话的引擎 (cosyvoice3)。"),
    (r"^Stock voices: (?P<x>[^;]+);", "内置声音：{x}；或从参考音频克隆一个。"),
    (r"^Clone the reference again|^Clone it again", "请用当前引擎重新克隆参考音频 (第 1 步)。"),
    (r"^Clone a voice from a (?P<a>\S+) s reference", "请从 {a} 秒的参考音频和它的文本克隆声音。"),
    (r"^Type exactly what the reference says", "请在参考文本框中输入参考音频里说的原话。"),
    (r"^Write the word in characters instead", "请把这个词写成汉字，或使用能读标注的引擎 (kokoro；f5 能读拼音)。"),
    (r"^Leave (?P<x>\S+) at (?P<v>\S+?),", "请把 {x} 保持为 {v}，或使用支持它的引擎。"),
    (r"^Settings are:", "请只使用已知的设置项。"),
    (r"^Available(?: engines)?: (?P<x>.+?)\.?$", "可用的引擎：{x}。"),
    (r"^Start one with|^Running: ", "请用 1-click-start.sh 启动引擎服务后重试。"),
    (r"^Connect to the", "请连接到该引擎自己的服务地址。"),
    (r"^Check that the URL", "请检查这个地址是否是 voxnb 引擎服务。"),
    (r"^Try again|^Wait", "请稍后再试。"),
    (r"^Use the (?P<e>\S+) server", "请使用 {e} 引擎服务：bash 1-click-start.sh --engine {e}。"),
    (r"^Run `voxnb fetch (?P<e>\S+?)`", "请运行 voxnb fetch {e} 下载模型权重。"),
    (r"^Reinstall|^Install it with|^pip install", "请重新安装缺少的软件包 (详见调试日志或命令行帮助)。"),
    (r"^Point model_dir|^Pass model_dir", "请指定多语言的 Whisper 模型目录。"),
    (r"^Check the path", "请检查路径。"),
    (r"^Give one file inside it|^Give a recording saved", "请选择一个录音文件。"),
    (r"^Choose another name, or replace the damaged file", "请换一个名称，或替换这个损坏的文件。"),
    (r"^Choose another name", "请换一个名称，或先删除旧的声音。"),
    (r"^Saved voices: (?P<x>.*?)\. Clone", "已保存的声音：{x}。"),
    (r"^Use one of: (?P<x>.+?)\.?$", "可选：{x}。"),
    (r"^Use (?P<a>[\d.]+) to (?P<b>[\d.]+) s", "请使用 {a} 到 {b} 秒。"),
    (r"^Start it again", "可以重新开始。"),
    (r"^Write pinyin like|pinyin|ARPAbet", "拼音写作 [h][ào] 或 [hao4] (声调 1-5)，ARPAbet 写作 [M][AY0][N][UW1][T] "
                                           "(元音带重音 0/1/2)，或用 [breath] 等标签。"),
    (r"^Use 1-64 letters", "请使用 1-64 个字母、数字、汉字、空格、“-”、“_”或“.”。"),
    (r"^Pick a \.voice\.npz file", "请选择 voxnb 保存的 .voice.npz 文件。"),
    (r"^Clone the voice again from its reference clip", "请用它的参考音频重新克隆这个声音 (或从备份恢复该文件)。"),
    (r"^Update voxnb", "请更新 voxnb (git pull，然后运行 bash 1-click-start.sh)。"),
    (r"^Put spaces between the words", "请在单词之间加空格，或删掉这串字母。"),
    (r"^Use a value from (?P<a>\S+) to (?P<b>\S+) \(", "请使用 {a} 到 {b} 之间的值 (1.0 为正常)。"),
    (r"^Use a whole number from (?P<a>\S+) to (?P<b>\S+?)\.?$", "请使用 {a} 到 {b} 之间的整数。"),
    (r"^Choose one of: (?P<st>neutral, .+?)\.?$", "可选的风格：{st}。"),
    (r"^Choose one of: (?P<x>.+?)\.?$", "可选：{x}。"),
]

# what each class means when no pattern knows the sentence (most specific class first)
FALLBACK: list[tuple[type, str]] = [
    (ConsentRequiredError, "克隆上传的音频前，请先勾选“我有权克隆这个声音”。"),
    (CancelledError, "操作已取消，没有保留任何改动。"),
    (MarkupError, "读音标注格式有误，请检查方括号和 <strong> 标签。"),
    (TextError, "文本无法朗读，请修改后重试。"),
    (BadReferenceError, "这个参考音频无法使用。请上传 3-30 秒人声的 WAV、FLAC、OGG 或 MP3 录音。"),
    (SettingsError, "有一项设置无效，请改回允许的范围。"),
    (VoiceNotFoundError, "找不到这个已保存的声音，请从列表中选择。"),
    (EngineBusyError, "引擎正忙，请稍后再试。"),
    (EngineStoppedError, "无法连接引擎服务：它已停止或尚未启动。"),
    (EngineError, "引擎出错了：它未知，或其模型权重缺失、损坏。"),
    (VoxnbError, "操作未能完成，请检查输入后重试。"),
]

FIX_FALLBACK: list[tuple[type, str]] = [
    (ConsentRequiredError, "请勾选“我有权克隆这个声音”。"),
    (MarkupError, "请检查方括号和 <strong> 标签。"),
    (BadReferenceError, "请上传 3-30 秒人声的 WAV、FLAC、OGG 或 MP3 录音。"),
]

_AT = re.compile(r"\s*\(at character (\d+)\)")


# why a clip is not speech (speechlike.py), the {why} above
REASONS: list[tuple[str, str]] = [
    (r"almost no voiced sound", "几乎没有浊音 (噪声、音乐或耳语)"),
    (r"pure tones", "由纯音组成 (蜂鸣或口哨)，不是人声"),
    (r"never changes", "声音从不像元音和辅音那样变化 (持续的嗡嗡声)"),
]


def _match(text: str, table, convert=None) -> str | None:
    """The first template whose pattern is found in ``text``, filled with its groups (each passed
    through ``convert`` if given)."""
    for pattern, template in table:
        m = re.search(pattern, text)
        if m:
            groups = {k: convert(v) for k, v in m.groupdict().items()} if convert else m.groupdict()
            if "why" in groups:
                groups["why"] = _match(groups["why"], REASONS) or "不是人说话的声音"
            if "st" in groups:     # style presets by their Chinese labels, with the name the API takes
                groups["st"] = _styles(groups["st"])
            if "s" in groups:      # script names (text/unspoken.py)
                groups["s"] = _scripts(groups["s"])
            return template.format(**groups)
    return None


def _fallback(err: BaseException) -> str:
    return next(zh for cls, zh in FALLBACK if isinstance(err, cls))


def message(err: BaseException, lang: str) -> str:
    """What the message area says for ``err`` in ``lang``."""
    key = getattr(err, "i18n_key", None)
    if key:     # the dashboard's own messages carry their key: both languages at the source
        from .i18n import t

        return t(key, lang, **getattr(err, "i18n_fmt", {}))
    if not isinstance(err, VoxnbError):   # a bug: its name, the traceback goes to the debug log
        return f"{type(err).__name__}: {err}" if lang != "zh" else f"内部错误 ({type(err).__name__})，详情见调试日志。"
    if lang != "zh":
        return str(err)
    problem, at = err.problem, _AT.search(err.problem)
    problem = _AT.sub("", problem)
    zh = _match(problem, PROBLEMS)
    if zh is None:
        return (f"第 {at.group(1)} 个字符处：" if at else "") + _fallback(err)
    if at:
        zh = zh.rstrip("。") + f" (第 {at.group(1)} 个字符处)。"
    fix = _match(err.fix, FIXES) if err.fix else ""
    if fix is None:   # an unknown fix: the class's general advice where it has one
        fix = next((zh_fix for cls, zh_fix in FIX_FALLBACK if isinstance(err, cls)), "")
    return f"{zh}{fix}"   # Chinese sentences follow one another without a space


# warnings in a reference's quality report (audio.py)
WARNINGS: list[tuple[str, str]] = [
    (r"^(?P<k>[\d.]+) kHz source", "{k} kHz 的录音：克隆声音会发闷"),
    (r"^mixed (?P<n>\d+) channels to mono", "已把 {n} 个声道混合为单声道"),
    (r"^removed a DC offset of (?P<x>\S+)", "已去除 {x} 的直流偏移 (录音的零线有偏移)"),
    (r"^heavy clipping: (?P<p>[\d.]+) %", "削波严重：{p}% 的采样达到满幅；克隆声音可能刺耳"),
    (r"^cut to the best (?P<s>[\d.]+) s window \((?P<a>[\d.]+)-(?P<b>[\d.]+) s",
     "已截取最佳的 {s} 秒片段 (原音频第 {a}-{b} 秒)"),
    (r"^noisy: estimated SNR (?P<db>-?\d+) dB", "噪声较大：信噪比约 {db} dB；克隆声音会带上噪声"),
]


def warning(text: str, lang: str) -> str:
    if lang != "zh":
        return text
    return _match(text, WARNINGS) or "参考音频质量有问题，克隆效果可能变差。"


# what a refinement or a comparison reports as it goes (engines/kokoro/refine.py, compare.py)
PROGRESS: list[tuple[str, str]] = [
    (r"^refined voice from the cache", "从缓存取回了优化过的声音"),
    (r"^checking on a held-out sentence", "正在用一句未参与优化的句子检验"),
    (r"^refined$", "已优化"),
    (r"^kept the fast clone: (?P<reason>.+)$", "保留快速克隆：{reason}"),
    (r"^(?P<step>[\w ]+): (?P<n>\d+) syntheses, best (?P<b>-?[\d.]+)", "{step}：已合成 {n} 次，最佳 {b}"),
    (r"^(?P<e>\S+): cloning and speaking", "{e}：正在克隆并朗读"),
    (r"^(?P<e>\S+): measuring", "{e}：正在测量"),
]
STEPS = {"start": "开始", "searching": "搜索", "style map": "风格映射", "timbre": "音色", "prosody": "韵律"}

# why the refinement's guard kept the fast clone (engines/kokoro/refine.py), joined by "; "
REFINE_REASONS: list[tuple[str, str]] = [
    (r"d-vector similarity dropped", "检验句的音色相似度 (d-vector) 下降了"),
    (r"heard the held-out sentence worse \(WER (?P<a>[\d.]+) > (?P<b>[\d.]+)\)",
     "语音识别听检验句更差了 (WER {a} > {b})"),
    (r"^median F0 (?P<x>[\d.]+) Hz is outside", "中位基频 {x} Hz 超出了说话声的范围"),
    (r"^F0 spread (?P<x>[\d.]+) octaves is outside", "基频起伏 {x} 个八度，超出了范围"),
    (r"^median F0 moved from (?P<a>[\d.]+) to (?P<b>[\d.]+) Hz", "中位基频从 {a} Hz 变成了 {b} Hz"),
    (r"^speech rate moved from (?P<a>[\d.]+) to (?P<b>[\d.]+)", "语速从每秒 {a} 个音素变成了 {b} 个"),
    (r"^no better style found", "没有找到更好的风格"),
    (r"^no gain", "没有改进"),
]


def refine_reason(text: str, lang: str) -> str:
    if lang != "zh":
        return text
    return "；".join(_match(part.strip(), REFINE_REASONS) or "未通过检验" for part in text.split(";") if part.strip())


def progress(text: str, lang: str) -> str:
    """A progress line in ``lang``; in Chinese, '' for a line no pattern knows (the bar still moves)."""
    if lang != "zh":
        return text
    m = next(((re.search(p, text), zh) for p, zh in PROGRESS if re.search(p, text)), None)
    if m is None:
        return ""
    groups = m[0].groupdict()
    if "reason" in groups:
        groups["reason"] = refine_reason(groups["reason"], lang)
    if "step" in groups:
        groups["step"] = STEPS.get(groups["step"], "搜索")
    return m[1].format(**groups)


SCRIPTS_ZH = {"Arabic": "阿拉伯文", "Japanese kana": "日文假名", "Korean Hangul": "韩文", "Cyrillic": "西里尔字母",
              "Greek": "希腊字母", "Hebrew": "希伯来文", "Thai": "泰文", "Devanagari": "天城文",
              "emoji or symbols": "表情或符号", "control characters": "控制字符", " and ": "和"}


def _styles(names: str) -> str:
    from ..settings import STYLES

    return "、".join(f"{STYLES[n].label_zh} ({n})" if n in STYLES else n for n in names.split(", "))


def _scripts(text: str) -> str:
    for en, zh in SCRIPTS_ZH.items():
        text = text.replace(en, zh)
    return text


def _positions(text: str) -> str:
    text = re.sub(r"\(characters (\d+)-(\d+)\)", r"(第 \1-\2 个字符)", text)
    return re.sub(r"\(character (\d+)\)", r"(第 \1 个字符)", text)


# what the text frontend and the output guard note (text/frontend.py, text/unspoken.py, limiter.py)
TEXT_NOTES: list[tuple[str, str]] = [
    (r"^Not spoken: (?P<x>.+); voxnb reads English and Mandarin only", "未朗读：{x}；voxnb 只能朗读英语和普通话，这些已略去。"),
    (r"^Not spoken: (?P<x>.+); they have no spoken form", "未朗读：{x}；它们没有读音，已略去。"),
    (r"^<strong> at character (?P<n>\d+)", "第 {n} 个字符处的 <strong>：Kokoro 不能控制重读，按普通语气朗读。"),
    (r"^\[(?P<t>[^\]]+)\] at character (?P<n>\d+)", "第 {n} 个字符处的 [{t}]：Kokoro 无法发出这种声音，已跳过。"),
    (r"^chunk (?P<i>\d+): (?P<k>\d+) non-finite", "第 {i} 段：{k} 个无效采样 (NaN 或无穷大) 已静音。"),
    (r"^chunk (?P<i>\d+): (?P<k>\d+) sample\(s\) peaked at (?P<db>\S+) dBFS",
     "第 {i} 段：{k} 个采样峰值达到 {db} dBFS，限幅器已把它们压到满幅以下。"),
    (r"^stopped after (?P<i>\d+) of (?P<n>\d+) chunks", "已在第 {i}/{n} 段后停止。"),
]


def text_note(text: str, lang: str) -> str:
    """A synthesis or preview warning in ``lang``; in Chinese, a general note where no pattern knows it."""
    if lang != "zh":
        return text
    return _match(text, TEXT_NOTES, lambda v: _positions(_scripts(v))) or "文本中有一部分无法按原样朗读。"
