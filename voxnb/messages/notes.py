"""Notes and warnings a user reads beside a result or a reference, and the words they are built from.

key -> (English, Chinese)."""

MESSAGES = {
    # what a viewer sees in Chinese for a note that has no key (its wording is not in the catalogue)
    "notes.unknown": ("Part of the text could not be spoken as written.", "文本中有一部分无法按原样朗读。"),
    "notes.reference_warning": ("The reference clip has a quality problem.", "参考音频质量有问题，克隆效果可能变差。"),
    "notes.refine_failed": ("The refined voice did not pass the check.", "未通过检验。"),
    # text/unspoken.py
    "notes.not_spoken_script": ("Not spoken: {runs}; voxnb reads English and Mandarin only, so they were left out.",
                                "未朗读：{runs}；voxnb 只能朗读英语和普通话，这些已略去。"),
    "notes.not_spoken_symbols": ("Not spoken: {runs}; they have no spoken form here, so they were left out.",
                                 "未朗读：{runs}；它们没有读音，已略去。"),
    "notes.run": ("{label} '{shown}' ({where})", "{label}“{shown}” ({where})"),
    "notes.run_codes": ("{label} {shown} ({where})", "{label} {shown} ({where})"),
    "notes.character": ("character {n}", "第 {n} 个字符"),
    "notes.characters": ("characters {a}-{b}", "第 {a}-{b} 个字符"),
    "notes.list": ("{runs}", "{runs}"),
    "notes.more": ("{runs} and {n} more", "{runs} 等，另有 {n} 处"),
    "notes.label.Arabic": ("Arabic", "阿拉伯文"),
    "notes.label.Japanese kana": ("Japanese kana", "日文假名"),
    "notes.label.Korean Hangul": ("Korean Hangul", "韩文"),
    "notes.label.CJK symbols": ("CJK symbols", "中日韩符号"),
    "notes.label.Cyrillic": ("Cyrillic", "西里尔字母"),
    "notes.label.Greek": ("Greek", "希腊字母"),
    "notes.label.Hebrew": ("Hebrew", "希伯来文"),
    "notes.label.Thai": ("Thai", "泰文"),
    "notes.label.Devanagari": ("Devanagari", "天城文"),
    "notes.label.emoji or symbols": ("emoji or symbols", "表情或符号"),
    "notes.label.control characters": ("control characters", "控制字符"),
    # reference/speechlike.py: why a clip is not speech
    "notes.unvoiced": ("it has almost no voiced sound (noise, music or whispering)", "几乎没有浊音 (噪声、音乐或耳语)"),
    "notes.pure_tones": ("it is made of pure tones (beeps or whistles), not a voice", "由纯音组成 (蜂鸣或口哨)，不是人声"),
    "notes.steady": ("its sound never changes the way vowels and consonants do (a steady buzz or hum)",
                     "声音从不像元音和辅音那样变化 (持续的嗡嗡声)"),
    # reference/decode.py: what a file that is not audio is
    "notes.file.png": ("a PNG image", "PNG 图片"),
    "notes.file.jpeg": ("a JPEG image", "JPEG 图片"),
    "notes.file.gif": ("a GIF image", "GIF 图片"),
    "notes.file.pdf": ("a PDF document", "PDF 文档"),
    "notes.file.zip": ("a ZIP archive (or an Office document)", "ZIP 压缩包 (或 Office 文档)"),
    "notes.file.elf": ("a program (ELF binary)", "程序文件 (ELF 可执行文件)"),
    "notes.file.html": ("an HTML page", "HTML 网页"),
    "notes.file.text": ("a text file", "文本文件"),
    "notes.and": ("{a} and {b}", "{a}和{b}"),
    "notes.or": ("{a} or {b}", "{a} 或 {b}"),
    "notes.label.script": ("{script}", "{script}文字"),   # a script without a label of its own
    "notes.semi": ("{a}; {b}", "{a}；{b}"),
    # runs/compare.py: progress of a comparison
    "notes.cmp_cloning": ("{name}: cloning and speaking", "{name}：正在克隆并朗读"),
    "notes.cmp_measuring": ("{name}: measuring", "{name}：正在测量"),
    "notes.cmp_no_asr": ("(no ASR: {problem})", "(无语音识别：{problem})"),
    # engines/generate.py: a take stopped early
    "notes.stopped_after": ("stopped after {n} of {of} chunks", "在 {of} 段中的第 {n} 段后停止"),
    # output/limiter.py and engines/base.py: what the output guard changed in a chunk
    "notes.in_chunk": ("chunk {n}: {note}", "第 {n} 段：{note}"),
    "notes.silenced": ("{n} non-finite sample(s) (NaN or infinity) were silenced", "{n} 个非有限采样 (NaN 或无穷大) 已静音"),
    "notes.limited": ("{n} sample(s) peaked at {peak_db:+.1f} dBFS; a limiter brought them to {ceiling_db:g} dBFS",
                      "{n} 个采样的峰值达到 {peak_db:+.1f} dBFS；限幅器已把它们降到 {ceiling_db:g} dBFS"),
    # output/watermark.py, output/watermark_nets.py
    "watermark.not_installed": ("The watermarker (resemble-perth) is not installed.", "未安装水印器 (resemble-perth)。"),
    "watermark.not_installed.fix": ("Install it with `pip install resemble-perth`; voxnb marks every output it makes.",
                                    "请用 `pip install resemble-perth` 安装；voxnb 会给每个输出加水印。"),
    "watermark.weights_unreadable": ("The watermarker's weights ({path}) cannot be read: {err}",
                                     "无法读取水印器的权重 ({path})：{err}"),
    "watermark.weights_unreadable.fix": ("Reinstall them with `pip install --force-reinstall resemble-perth`.",
                                         "请用 `pip install --force-reinstall resemble-perth` 重新安装。"),
    "watermark.export_failed": ("The watermarker's networks could not be prepared in {folder}: {why}",
                                "无法在 {folder} 中准备水印器的网络：{why}"),
    "watermark.export_failed.fix": ("Check that the folder can be written (VOXNB_CACHE moves it) and that torch and "
                                    "onnx are installed (`bash 1-click-start.sh` installs them).",
                                    "请确认该文件夹可写 (可用 VOXNB_CACHE 换一个位置)，并已安装 torch 和 onnx "
                                    "(`bash 1-click-start.sh` 会安装)。"),
    "watermark.bad_rate": ("Sample rate {rate} is not valid.", "采样率 {rate} 无效。"),
    "watermark.bad_rate.fix": ("Pass the audio's rate in Hz, e.g. 24000.", "请传入音频的采样率 (单位 Hz)，例如 24000。"),
    "watermark.bad_audio": ("The audio is not a mono or stereo array of finite samples.",
                            "音频不是由有限采样值组成的单声道或立体声数组。"),
    "watermark.bad_audio.fix": ("Pass the samples as a 1-D float array (or [samples, channels]) and their rate.",
                                "请传入一维浮点数组 (或 [采样数, 声道数]) 及其采样率。"),
}
