"""Every label and message of the dashboard, in English and Chinese."""
from __future__ import annotations

LANGS = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "title": {"en": "voxnb · voice cloning you can look inside", "zh": "voxnb · 看得见内部的声音克隆"},
    "lang": {"en": "中文", "zh": "English"},
    # reference
    "ref_header": {"en": "1 · Reference voice", "zh": "1 · 参考声音"},
    "ref_source": {"en": "Voice from", "zh": "声音来源"},
    "src_upload": {"en": "Upload a clip", "zh": "上传音频"},
    "src_sample": {"en": "Bundled sample", "zh": "内置示例"},
    "src_saved": {"en": "Saved voice", "zh": "已保存的声音"},
    "upload": {"en": "Upload 3-30 s of speech (WAV, FLAC, OGG, MP3)", "zh": "上传 3-30 秒的人声 (WAV、FLAC、OGG、MP3)"},
    "consent": {"en": "I have the right to clone this voice", "zh": "我有权克隆这个声音"},
    "enroll": {"en": "Clone this voice", "zh": "克隆此声音"},
    "voice_name": {"en": "Save as", "zh": "保存为"},
    "save_voice": {"en": "Save voice", "zh": "保存声音"},
    "transcript": {"en": "Transcript (optional, editable)", "zh": "参考文本 (可选, 可编辑)"},
    "transcribe": {"en": "Transcribe", "zh": "自动转写"},
    "report": {"en": "{dur:.1f} s · speech {ratio:.0%} · SNR {snr:.0f} dB · clipping {clip:.2%} · source {sr} Hz",
               "zh": "{dur:.1f} 秒 · 语音占比 {ratio:.0%} · 信噪比 {snr:.0f} dB · 削波 {clip:.2%} · 原始采样率 {sr} Hz"},
    "no_voice": {"en": "No voice yet: upload a clip, or pick a sample or a saved voice.",
                 "zh": "还没有声音：请上传音频，或选择示例或已保存的声音。"},
    "voice_ready": {"en": "Voice ready: {name} [{id}] (similarity fit {score})",
                    "zh": "声音已就绪：{name} [{id}] (相似度拟合 {score})"},
    "fit_detail": {"en": "Built from {base}, {how}; timbre EQ fitted to the reference, whose recording reaches {khz:.1f} kHz.",
                   "zh": "基于 {base}（{how}）构建，并按参考音频拟合了音色均衡；参考录音频宽 {khz:.1f} kHz。"},
    "fit_nearest": {"en": "as is", "zh": "原样"},
    "fit_nearest+pitch": {"en": "pitch matched", "zh": "已匹配音高"},
    "fit_blend2+pitch": {"en": "blended, pitch matched", "zh": "混合并匹配音高"},
    "phone_hint": {"en": "This is phone-band audio: tick “Copy the reference's recording channel” in step 3 to hear "
                         "the clone through the same channel.",
                   "zh": "这是电话频宽的录音：在第 3 步勾选“模仿参考音频的录音频道”即可听到同样音质的克隆声音。"},
    "refine": {"en": "Refine this voice", "zh": "优化这个声音"},
    "refine_tip": {"en": "Tune the clone's style to the reference clip (a few minutes); kept only if a held-out "
                         "sentence sounds at least as close", "zh": "按参考音频微调克隆声音的风格 (需要几分钟)；只有在留出句子上"
                                                               "至少一样接近时才采用"},
    "refine_cancel": {"en": "Cancel", "zh": "取消"},
    "refine_running": {"en": "Refining… {msg}", "zh": "正在优化… {msg}"},
    "refine_done": {"en": "Refined in {sec:.0f} s.", "zh": "优化完成，用时 {sec:.0f} 秒。"},
    "refine_kept": {"en": "Kept the fast clone after {sec:.0f} s: {reason}.",
                    "zh": "{sec:.0f} 秒后保留了快速克隆：{reason}。"},
    "refine_figures": {"en": "d-vector similarity on the held-out sentence: {before:.3f} → {after:.3f}.",
                       "zh": "留出句子上的 d-vector 相似度：{before:.3f} → {after:.3f}。"},
    "refine_cancelled": {"en": "Refining cancelled; the fast clone is kept.", "zh": "已取消优化，保留快速克隆。"},
    "refine_why_no_reference": {"en": "Refining needs the clip this voice was cloned from: pick it and clone it again.",
                                "zh": "优化需要克隆此声音所用的音频：请重新选择该音频并克隆。"},
    "refine_why_engine": {"en": "This engine cannot refine voices.", "zh": "此引擎不能优化声音。"},
    "refine_why_no_clone": {"en": "Only a voice cloned from a clip can be refined.", "zh": "只有从音频克隆的声音才能优化。"},
    "busy_refining": {"en": "Still refining the voice; wait or press Cancel.", "zh": "仍在优化声音，请稍候或点击取消。"},
    # text
    "text_header": {"en": "2 · Text", "zh": "2 · 文本"},
    "text_placeholder": {"en": "Type English or Chinese text to speak…", "zh": "输入要朗读的中文或英文…"},
    "chars": {"en": "{n} / {max} characters", "zh": "{n} / {max} 字"},
    "markup_help": {"en": "Pronunciation: pinyin 报道[j][ǐ]予 or [ji3], ARPAbet [M][AY0][N][UW1][T], pause [breath]",
                    "zh": "读音标注：拼音 报道[j][ǐ]予 或 [ji3]，英文音标 [M][AY0][N][UW1][T]，停顿 [breath]"},
    "markup_help_cosyvoice3": {"en": "Markup: pinyin 好[h][ào], ARPAbet [M][AY0][N][UW1][T], sounds [breath] [laughter], "
                                     "emphasis <strong>…</strong>",
                               "zh": "标注：拼音 好[h][ào]，英文音标 [M][AY0][N][UW1][T]，声音 [breath] [laughter]，"
                                     "强调 <strong>…</strong>"},
    "phonemes": {"en": "Phonemes the model will read", "zh": "模型将读的音素"},
    # controls
    "controls_header": {"en": "3 · Style and settings", "zh": "3 · 风格与设置"},
    "style": {"en": "Style", "zh": "风格"},
    "speed": {"en": "Speed", "zh": "语速"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "dice": {"en": "Random", "zh": "随机"},
    "match_channel": {"en": "Copy the reference's recording channel (e.g. phone bandwidth)",
                      "zh": "模仿参考音频的录音频道（如电话频宽）"},
    "engine": {"en": "Engine", "zh": "引擎"},
    "instruction": {"en": "Instruction", "zh": "指令"},
    "instruction_none": {"en": "None", "zh": "无"},
    "instruction_item": {"en": "{group}: {label}", "zh": "{group}：{label}"},
    "instruction_words": {"en": "or type one: 请用温柔的语气说", "zh": "或自己写：请用温柔的语气说"},
    "group_dialect": {"en": "Dialect", "zh": "方言"},
    "group_emotion": {"en": "Emotion", "zh": "情感"},
    "group_speed": {"en": "Speed", "zh": "语速"},
    "group_volume": {"en": "Volume", "zh": "音量"},
    "group_role": {"en": "Role", "zh": "角色"},
    "approx": {"en": "(approximated by pitch, energy and pace)", "zh": "(通过音高、能量和语速近似)"},
    # generate
    "generate": {"en": "Generate", "zh": "生成"},
    "stop": {"en": "Stop", "zh": "停止"},
    "stage_enroll": {"en": "Cloning the voice…", "zh": "正在克隆声音…"},
    "stage_engine": {"en": "Loading the engine…", "zh": "正在加载引擎…"},
    "stage_frontend": {"en": "Reading the text…", "zh": "正在分析文本…"},
    "stage_acoustic": {"en": "Speaking chunk {i} of {n}…", "zh": "正在合成第 {i}/{n} 段…"},
    "stage_done": {"en": "Done: {dur:.1f} s of audio in {sec:.1f} s (RTF {rtf:.2f})",
                   "zh": "完成：{dur:.1f} 秒音频，用时 {sec:.1f} 秒 (RTF {rtf:.2f})"},
    "stage_stopped": {"en": "Stopped after {i} of {n} chunks.", "zh": "已在第 {i}/{n} 段后停止。"},
    # output
    "output_header": {"en": "4 · Listen", "zh": "4 · 试听"},
    "download_wav": {"en": "⬇ WAV", "zh": "⬇ WAV"},
    "download_json": {"en": "⬇ JSON", "zh": "⬇ JSON"},
    "history": {"en": "This session's generations", "zh": "本次会话的生成记录"},
    "replay": {"en": "Play", "zh": "播放"},
    "reload": {"en": "Reuse settings", "zh": "复用设置"},
    "history_row": {"en": "#{n} · {voice} · seed {seed} · {style} ×{speed} · {dur:.1f} s · RTF {rtf:.2f} · {text}",
                    "zh": "#{n} · {voice} · 种子 {seed} · {style} ×{speed} · {dur:.1f} 秒 · RTF {rtf:.2f} · {text}"},
    # inspect
    "inspect_header": {"en": "5 · Look inside", "zh": "5 · 查看内部"},
    "tab_mel": {"en": "Spectrograms", "zh": "频谱图"},
    "tab_tokens": {"en": "Speech tokens", "zh": "语音 token"},
    "tab_alignment": {"en": "Alignment", "zh": "对齐"},
    "tab_attention": {"en": "Attention", "zh": "注意力"},
    "tab_f0": {"en": "Pitch & energy", "zh": "音高与能量"},
    "compare_header": {"en": "6 · Engines side by side", "zh": "6 · 引擎对比"},
    "compare": {"en": "Compare", "zh": "对比"},
    "cmp_seconds": {"en": "seconds", "zh": "时长 (秒)"},
    "cmp_rtf": {"en": "RTF", "zh": "实时率"},
    "cmp_first": {"en": "first audio s", "zh": "首段音频 (秒)"},
    "cmp_wer": {"en": "WER / CER", "zh": "词/字错误率"},
    "cmp_sim": {"en": "similarity", "zh": "音色相似度"},
    "cmp_note": {"en": "Same clip, text and seed for every engine. Similarity: GE2E cosine to the reference "
                       "(an evaluation encoder no engine is fitted to). WER/CER: ASR of the output against the text.",
                 "zh": "每个引擎使用相同的参考音频、文本与随机种子。相似度：与参考音频的 GE2E 余弦相似度 (评测用编码器，"
                       "任何引擎都未针对它调优)。错误率：对输出做语音识别后与文本比较。"},
    "cmp_running": {"en": "Comparing…", "zh": "正在对比…"},
    "cmp_done": {"en": "Compared {n} engines.", "zh": "已对比 {n} 个引擎。"},
    # check a file
    "check_header": {"en": "7 · Check a file for the voxnb watermark", "zh": "7 · 检查文件是否带有 voxnb 水印"},
    "check_help": {"en": "Was this audio made with voxnb? Every voxnb output carries an inaudible watermark and "
                         "metadata naming its voice and consent record.",
                   "zh": "这段音频是用 voxnb 生成的吗？每个 voxnb 输出都带有听不见的水印，以及注明声音和授权记录的元数据。"},
    "check_upload": {"en": "Check a file", "zh": "检查文件"},
    "check_upload_tip": {"en": "An audio file (WAV, FLAC, OGG, MP3), up to {limit} MB",
                         "zh": "音频文件 (WAV、FLAC、OGG、MP3)，最大 {limit} MB"},
    "check_checking": {"en": "Checking {name}…", "zh": "正在检查 {name}…"},
    "check_found": {"en": "voxnb watermark found (confidence {conf:.2f})", "zh": "检测到 voxnb 水印 (置信度 {conf:.2f})"},
    "check_clean": {"en": "No voxnb watermark (confidence {conf:.2f})", "zh": "未检测到 voxnb 水印 (置信度 {conf:.2f})"},
    "check_error": {"en": "Cannot read it: {problem}", "zh": "无法读取：{problem}"},
    "check_too_big": {"en": "Cannot read it: the file is {mb:.1f} MB; the limit is {limit} MB.",
                      "zh": "无法读取：文件大小 {mb:.1f} MB，超过上限 {limit} MB。"},
    "check_spans": {"en": "The mark is only in part of the file: {spans}", "zh": "水印只出现在文件的一部分：{spans}"},
    "check_span": {"en": "{a:g}–{b:g} s", "zh": "{a:g}–{b:g} 秒"},
    "check_stripped": {"en": "Its metadata was stripped: the file carries no voxnb tags.",
                       "zh": "它的元数据已被去除：文件中没有 voxnb 标签。"},
    "meta_made_by": {"en": "Made by", "zh": "生成软件"},
    "meta_weights": {"en": "Weights", "zh": "模型权重"},
    "meta_created": {"en": "Created", "zh": "生成时间"},
    "meta_voice": {"en": "Voice", "zh": "声音"},
    "meta_kind": {"en": "Voice kind", "zh": "声音类型"},
    "meta_cloned": {"en": "cloned from a recording", "zh": "从录音克隆"},
    "meta_stock": {"en": "stock voice", "zh": "内置声音"},
    "meta_consent": {"en": "Consent record", "zh": "授权记录"},
    "meta_consent_not_needed": {"en": "not needed (stock voice)", "zh": "无需（内置声音）"},
    "meta_consent_unknown": {"en": "unknown (voice saved before voxnb kept consent records)",
                             "zh": "未知（该声音保存于 voxnb 记录授权之前）"},
    "meta_watermark": {"en": "Watermark", "zh": "水印"},
    "tab_trajectory": {"en": "ODE steps", "zh": "ODE 步骤"},
    "tab_latents": {"en": "Latents & stop", "zh": "潜变量与停止概率"},
    "step": {"en": "Step", "zh": "步"},
    "lacks": {"en": "Not available from {engine}: {views}", "zh": "{engine} 不提供：{views}"},
    "tab_timings": {"en": "Timings", "zh": "耗时"},
    "chunk": {"en": "Chunk", "zh": "分段"},
    "layer": {"en": "Layer", "zh": "层"},
    "head": {"en": "Head", "zh": "头"},
    "att_lm": {"en": "Language model", "zh": "语言模型"},
    "att_flow": {"en": "Flow decoder", "zh": "流匹配解码器"},
    "head_mean": {"en": "mean", "zh": "平均"},
    "mel_ref": {"en": "Reference", "zh": "参考"},
    "mel_out": {"en": "Output", "zh": "输出"},
    "inspect_empty": {"en": "Generate something to see inside the model.", "zh": "生成语音后即可查看模型内部。"},
    # messages
    "error": {"en": "Problem: {msg}", "zh": "出错了：{msg}"},
    "need_consent": {"en": "Tick “I have the right to clone this voice” before cloning an uploaded clip.",
                     "zh": "克隆上传的音频前，请先勾选“我有权克隆这个声音”。"},
    "need_voice": {"en": "Choose a voice first (step 1).", "zh": "请先选择声音 (第 1 步)。"},
    "busy": {"en": "Still working on the last request; wait or press Stop.", "zh": "上一个请求仍在进行，请稍候或点击停止。"},
    "saved": {"en": "Saved voice “{name}”.", "zh": "已保存声音“{name}”。"},
    "too_big": {"en": "The file is {mb:.1f} MB; the limit is {limit} MB. Upload a shorter clip (3-30 s is enough).",
                "zh": "文件大小 {mb:.1f} MB，超过上限 {limit} MB。请上传更短的音频 (3-30 秒即可)。"},
    "debug": {"en": "Debug log", "zh": "调试日志"},
    # the session's own errors: raised with the English text, shown in the viewer's language (error())
    "err_no_reference": {"en": "There is no reference clip yet. Upload a clip or pick a sample first.",
                         "zh": "还没有参考音频。请先上传音频或选择示例。"},
    "err_compare_no_reference": {"en": "Compare needs a reference clip. Upload a clip or pick a sample first (step 1).",
                                 "zh": "对比需要参考音频。请先上传音频或选择示例 (第 1 步)。"},
    "err_no_sample": {"en": "No bundled sample is called “{label}”. Samples: {samples}.",
                      "zh": "没有名为“{label}”的内置示例。可选示例：{samples}。"},
    "err_refine_no_clone": {"en": "There is no cloned voice to refine (a stock voice is tuned already). "
                                  "Clone a voice from a clip first (step 1).",
                            "zh": "没有可优化的克隆声音 (内置声音已经调好)。请先从音频克隆声音 (第 1 步)。"},
    "err_refine_no_reference": {"en": "Refining needs the clip this voice was cloned from, and a saved voice does "
                                      "not keep it. Upload the clip or pick the sample again and clone it (step 1).",
                                "zh": "优化需要克隆此声音所用的音频，而已保存的声音不保留它。请重新上传该音频或选择示例，"
                                      "再克隆一次 (第 1 步)。"},
    "err_refine_engine": {"en": "This engine cannot refine voices. Refining needs Kokoro loaded in this kernel "
                                "(a served engine cannot refine yet); the fast clone works as it is.",
                          "zh": "此引擎不能优化声音。优化需要在本内核中加载 Kokoro (服务端引擎暂不支持)；"
                                "快速克隆的声音可以照常使用。"},
    "err_transcribe_no_reference": {"en": "There is no reference clip to transcribe. Upload a clip or pick a sample first.",
                                    "zh": "没有可转写的参考音频。请先上传音频或选择示例。"},
    "err_save_no_voice": {"en": "There is no cloned voice to save. Clone a voice first (step 1).",
                          "zh": "没有可保存的克隆声音。请先克隆声音 (第 1 步)。"},
    "err_no_voice": {"en": "There is no voice yet. Choose a voice first (step 1).",
                     "zh": "还没有声音。请先选择声音 (第 1 步)。"},
    "err_save_no_name": {"en": "The voice needs a name. Type one in “Save as”.",
                         "zh": "声音需要一个名称。请在“保存为”中输入。"},
    "upload_refused": {"en": "{name} was not used; the previous clip and voice were cleared.",
                       "zh": "未使用 {name}；之前的音频和声音已清除。"},
}


def t(key: str, lang: str, **fmt) -> str:
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text


def error(cls, key: str, **fmt):
    """A ``cls`` (a VoxnbError) whose text is ``key``'s English; the message area shows it in the viewer's
    language (messages_zh.message reads the key back), and plain Python callers still get English."""
    import re

    # "Problem. Fix." -> VoxnbError(problem, fix), the split the CLI and API callers rely on
    parts = re.split(r"(?<=[.)])\s+(?=[A-Z])", t(key, "en", **fmt), maxsplit=1)
    err = cls(parts[0], parts[1] if len(parts) > 1 else "")
    err.i18n_key, err.i18n_fmt = key, fmt
    return err
