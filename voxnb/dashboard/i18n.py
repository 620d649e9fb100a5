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
    # text
    "text_header": {"en": "2 · Text", "zh": "2 · 文本"},
    "text_placeholder": {"en": "Type English or Chinese text to speak…", "zh": "输入要朗读的中文或英文…"},
    "chars": {"en": "{n} / {max} characters", "zh": "{n} / {max} 字"},
    "markup_help": {"en": "Pronunciation: pinyin 报道[j][ǐ]予 or [ji3], ARPAbet [M][AY0][N][UW1][T], pause [breath]",
                    "zh": "读音标注：拼音 报道[j][ǐ]予 或 [ji3]，英文音标 [M][AY0][N][UW1][T]，停顿 [breath]"},
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
    "cmp_done": {"en": "Compared {n} engines.", "zh": "已对比 {n} 个引擎。"},
    "tab_trajectory": {"en": "ODE steps", "zh": "ODE 步骤"},
    "tab_latents": {"en": "Latents & stop", "zh": "潜变量与停止概率"},
    "step": {"en": "Step", "zh": "步"},
    "lacks": {"en": "Not available from {engine}: {views}", "zh": "{engine} 不提供：{views}"},
    "tab_timings": {"en": "Timings", "zh": "耗时"},
    "chunk": {"en": "Chunk", "zh": "分段"},
    "layer": {"en": "Layer", "zh": "层"},
    "head": {"en": "Head", "zh": "头"},
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
}


def t(key: str, lang: str, **fmt) -> str:
    entry = STRINGS[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fmt) if fmt else text
