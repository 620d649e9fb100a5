"""Messages of settings, saved voices, voice files and consent (settings.py, voice.py, voice_check.py, output/consent.py).

key -> (English, Chinese); an error's fix is its key plus ".fix"."""

MESSAGES = {
    "consent.this_recording": ("this recording", "这段录音"),
    "consent.uploaded_clip": ("an uploaded clip", "上传的音频"),
    "consent.cloning_voice_needs_your": ("Cloning a voice from {what} needs your statement that you have the "
                                         "right to clone it (it is your voice, or its speaker agreed).",
                                         "从{what}克隆声音前，需要你声明有权克隆这个声音 (它是你自己的声音，或说话人已同意)。"),
    "consent.cloning_voice_needs_your.fix": ("Pass consent=True (or your statement as text) to clone(), "
                                             "--consent to the voxnb command, or tick “I have the right to clone "
                                             "this voice” in the dashboard.",
                                             "请在 clone() 中传入 consent=True (或你的声明文字)，在 voxnb 命令中加 --consent，"
                                             "或在控制台勾选“我有权克隆这个声音”。"),
    "settings.unknown_style": ("Unknown style {name!r}.", "未知的风格 {name!r}。"),
    "settings.unknown_style.fix": ("Choose one of: {styles}.", "可选的风格：{styles}。"),
    "settings.speed_number": ("Speed {speed!r} is not a number.", "语速 {speed!r} 不是数字。"),
    "settings.speed_number.fix": ("Use a value from {lo} to {hi} (1.0 is normal).",
                                  "请使用 {lo} 到 {hi} 之间的值 (1.0 为正常)。"),
    "settings.speed_out_range": ("Speed {speed!r} is out of range.", "语速 {speed!r} 超出范围。"),
    "settings.speed_out_range.fix": ("Use a value from {lo} to {hi} (1.0 is normal).",
                                     "请使用 {lo} 到 {hi} 之间的值 (1.0 为正常)。"),
    "settings.seed_valid": ("Seed {seed!r} is not valid.", "随机种子 {seed!r} 无效。"),
    "settings.seed_valid.fix": ("Use a whole number from {lo} to {hi}.", "请使用 {lo} 到 {hi} 之间的整数。"),
    "settings.unknown_language": ("Unknown language {lang_name!r}.", "未知的语言 {lang_name!r}。"),
    "settings.unknown_language.fix": ("Use one of: {languages}.", "可选：{languages}。"),
    "settings.inspect_must_true_false": ("inspect must be True or False, not {inspect!r}.",
                                         "inspect 必须是 True 或 False，不能是 {inspect!r}。"),
    "settings.inspect_must_true_false.fix": ("Pass inspect=False to leave out the attention maps (long texts), "
                                             "else leave it out.",
                                             "传入 inspect=False 可省去注意力图 (长文本时)，否则不要设置它。"),
    "settings.match_channel_must_true": ("match_channel must be True or False, not {match_channel!r}.",
                                         "match_channel 必须是 True 或 False，不能是 {match_channel!r}。"),
    "settings.match_channel_must_true.fix": ("Pass match_channel=True to copy the reference's bandwidth, else "
                                             "leave it out.",
                                             "传入 match_channel=True 可模仿参考音频的频宽，否则不要设置它。"),
    "settings.instruct_must_text": ("instruct must be text, not {type}.", "instruct 必须是文字，不能是 {type}。"),
    "settings.instruct_must_text.fix": ("Pass a preset name (e.g. 'sichuan') or an instruction in words, or "
                                        "leave it out.",
                                        "请传入预设名 (例如 'sichuan') 或文字指令，或不设置它。"),
    "settings.watermark_must_true_false": ("watermark must be True or False, not {watermark!r}.",
                                           "watermark 必须是 True 或 False，不能是 {watermark!r}。"),
    "settings.watermark_must_true_false.fix": ("Leave it out: voxnb marks every output. watermark=False is for "
                                               "your own analysis only.",
                                               "请不要设置它：voxnb 给每个输出都加水印。watermark=False 只供你自己分析使用。"),
    "settings.pause_s_out_range": ("{kind} pause {value!r} s is out of range.", "{kind}停顿 {value!r} 秒超出范围。"),
    "settings.pause_s_out_range.fix": ("Use {lo} to {hi} s.", "请使用 {lo} 到 {hi} 秒。"),
    "voice.usable_voice_name": ("{name!r} is not a usable voice name.", "{name!r} 不能用作声音名称。"),
    "voice.usable_voice_name.fix": ("Use 1-64 letters, digits, Chinese characters, spaces, '-', '_' or '.'.",
                                    "请使用 1-64 个字母、数字、汉字、空格、“-”、“_”或“.”。"),
    "voice.saved_voice_called": ("No saved voice is called {name_or_id!r}.", "没有名为 {name_or_id!r} 的已保存声音。"),
    "voice.saved_voice_called.fix": ("Saved voices: {known}.{damaged} Clone one with `voxnb clone REF --name "
                                     "NAME --consent`.",
                                     "已保存的声音：{known}。{damaged}可以用 voxnb 的 clone 命令 (加 --consent) 克隆一个。"),
    "voice.voxnb_voice_file": ("{name} is not a voxnb voice file.", "{name} 不是 voxnb 声音文件。"),
    "voice.voxnb_voice_file.fix": ("Pick a .voice.npz file saved by voxnb.", "请选择 voxnb 保存的 .voice.npz 文件。"),
    "voice.there_voice_file": ("There is no voice file at {where}.", "{where} 处没有声音文件。"),
    "voice.there_voice_file.fix": ("Check the path, or load a saved voice by name: voxnb voices lists them.",
                                   "请检查路径，或按名称加载已保存的声音：voxnb voices 会列出它们。"),
    "voice.different_voice_already_saved": ("A different voice is already saved as {name!r}.",
                                            "已有另一个声音保存为 {name!r}。"),
    "voice.different_voice_already_saved.fix": ("Choose another name, or delete the old voice first.",
                                                "请换一个名称，或先删除旧的声音。"),
    "voice.damaged": ("{where} is damaged: {what}.", "声音文件 {where} 已损坏：{what}。"),
    "voice.damaged.fix": ("Clone the voice again from its reference clip (or restore the file from a backup); "
                          "voxnb does not use a voice file it cannot trust.",
                          "请用它的参考音频重新克隆这个声音 (或从备份恢复该文件)；voxnb 不会使用无法信任的声音文件。"),
    "voice.format_voice_file_voxnb": ("{where} is a format {fmt} voice file; this voxnb reads format {format}.",
                                      "{where} 是第 {fmt} 版声音文件，当前的 voxnb 只能读取第 {format} 版。"),
    "voice.format_voice_file_voxnb.fix": ("Update voxnb (git pull, then bash 1-click-start.sh) to use it.",
                                          "请更新 voxnb (git pull，然后运行 bash 1-click-start.sh) 后再使用。"),
    "voice.cannot_read_file": ("{where} cannot be read as a voice file ({reason}).", "{where} 无法作为声音文件读取 ({reason})。"),
    "voice.cannot_read_file.fix": ("Pick a .voice.npz file saved by voxnb.", "请选择 voxnb 保存的 .voice.npz 文件。"),
    "voice.saved_file_damaged": ("A voice file is already saved as {name!r}, and it is damaged: {problem}",
                                 "已有声音文件保存为 {name!r}，但它已损坏：{problem}"),
    "voice.saved_file_damaged.fix": ("Choose another name, or replace the damaged file (overwrite=True, voxnb clone "
                                     "--overwrite).",
                                     "请换一个名称，或替换损坏的文件 (overwrite=True，或 voxnb clone --overwrite)。"),
    "voice.none_saved_yet": ("none saved yet", "还没有"),
    "voice.damaged_skipped": (" Damaged files skipped: {files}.", "已跳过损坏的文件：{files}。"),
}
