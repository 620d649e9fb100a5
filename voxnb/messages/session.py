"""Messages of the dashboard's session, and what any error says in a language its wording lacks.

key -> (English, Chinese); an error's fix is its key plus ".fix"."""

MESSAGES = {
    # how errors read in any language
    "errors.at": ("{problem} (at character {n}).", "{problem} (第 {n} 个字符处)。"),
    "errors.bug": ("Internal error ({type}); the debug log has the details.", "内部错误 ({type})，详情见调试日志。"),
    # an error raised without a key (code outside voxnb): its class's general message
    "errors.fallback.ConsentRequiredError": ("Cloning an uploaded clip needs your consent.",
                                             "克隆上传的音频前，请先勾选“我有权克隆这个声音”。"),
    "errors.fallback.CancelledError": ("The operation was cancelled; nothing was kept.", "操作已取消，没有保留任何改动。"),
    "errors.fallback.MarkupError": ("The pronunciation markup is malformed.", "读音标注格式有误，"),
    "errors.fallback.MarkupError.fix": ("Check the brackets and <strong> tags.", "请检查方括号和 <strong> 标签。"),
    "errors.fallback.TextError": ("The text cannot be spoken.", "文本无法朗读，请修改后重试。"),
    "errors.fallback.BadReferenceError": ("This reference clip cannot be used.", "这个参考音频无法使用。"),
    "errors.fallback.BadReferenceError.fix": ("Upload a WAV, FLAC, OGG or MP3 recording of 3-30 s of speech.",
                                              "请上传 3-30 秒人声的 WAV、FLAC、OGG 或 MP3 录音。"),
    "errors.fallback.SettingsError": ("A setting is not valid.", "有一项设置无效，请改回允许的范围。"),
    "errors.fallback.VoiceNotFoundError": ("That saved voice cannot be found.", "找不到这个已保存的声音，请从列表中选择。"),
    "errors.fallback.BadVoiceFileError": ("That voice file cannot be trusted.", "这个声音文件无法信任，voxnb 不会使用它。"),
    "errors.fallback.EngineBusyError": ("The engine is busy.", "引擎正忙，请稍后再试。"),
    "errors.fallback.EngineStoppedError": ("The engine server cannot be reached.", "无法连接引擎服务：它已停止或尚未启动。"),
    "errors.fallback.EngineError": ("The engine failed: it is unknown, or its weights are missing or damaged.",
                                    "引擎出错了：它未知，或其模型权重缺失、损坏。"),
    "errors.fallback.VoxnbError": ("The operation could not be completed.", "操作未能完成，请检查输入后重试。"),
    # the dashboard session's own errors (dashboard/session.py raises them through i18n.error)
    "session.no_reference": ("There is no reference clip yet.", "还没有参考音频。"),
    "session.no_reference.fix": ("Upload a clip or pick a sample first.", "请先上传音频或选择示例。"),
    "session.compare_no_reference": ("Compare needs a reference clip.", "对比需要参考音频。"),
    "session.compare_no_reference.fix": ("Upload a clip or pick a sample first (step 1).",
                                         "请先上传音频或选择示例 (第 1 步)。"),
    "session.no_sample": ("No bundled sample is called “{label}”.", "没有名为“{label}”的内置示例。"),
    "session.no_sample.fix": ("Samples: {samples}.", "可选示例：{samples}。"),
    "session.refine_no_clone": ("There is no cloned voice to refine (a stock voice is tuned already).",
                                "没有可优化的克隆声音 (内置声音已经调好)。"),
    "session.refine_no_clone.fix": ("Clone a voice from a clip first (step 1).", "请先从音频克隆声音 (第 1 步)。"),
    "session.refine_no_reference": ("Refining needs the clip this voice was cloned from, and a saved voice does not "
                                    "keep it.", "优化需要克隆此声音所用的音频，而已保存的声音不保留它。"),
    "session.refine_no_reference.fix": ("Upload the clip or pick the sample again and clone it (step 1).",
                                        "请重新上传该音频或选择示例，再克隆一次 (第 1 步)。"),
    "session.refine_engine": ("This engine cannot refine voices.", "此引擎不能优化声音。"),
    "session.refine_engine.fix": ("Refining needs Kokoro loaded in this kernel (a served engine cannot refine yet); "
                                  "the fast clone works as it is.",
                                  "优化需要在本内核中加载 Kokoro (服务端引擎暂不支持)；快速克隆的声音可以照常使用。"),
    "session.transcribe_no_reference": ("There is no reference clip to transcribe.", "没有可转写的参考音频。"),
    "session.transcribe_no_reference.fix": ("Upload a clip or pick a sample first.", "请先上传音频或选择示例。"),
    "session.save_no_voice": ("There is no cloned voice to save.", "没有可保存的克隆声音。"),
    "session.save_no_voice.fix": ("Clone a voice first (step 1).", "请先克隆声音 (第 1 步)。"),
    "session.no_voice": ("There is no voice yet.", "还没有声音。"),
    "session.no_voice.fix": ("Choose a voice first (step 1).", "请先选择声音 (第 1 步)。"),
    "session.too_big": ("The file is {mb:.1f} MB; the limit is {limit} MB.", "文件大小 {mb:.1f} MB，超过上限 {limit} MB。"),
    "session.too_big.fix": ("Upload a shorter clip (3-30 s is enough).", "请上传更短的音频 (3-30 秒即可)。"),
    "session.need_consent": ("Tick “I have the right to clone this voice” before cloning an uploaded clip.",
                             "克隆上传的音频前，请先勾选“我有权克隆这个声音”。"),
    "session.save_no_name": ("The voice needs a name.", "声音需要一个名称。"),
    "session.save_no_name.fix": ("Type one in “Save as”.", "请在“保存为”中输入。"),
}
