"""Messages of the engine server's refusals (voxnb/server): what was wrong with a request, and the fix.

key -> (English, Chinese); an error's fix is its key plus ".fix"."""

_CLIENT = ("Use voxnb.connect() (RemoteEngine) as the client.", "请使用 voxnb.connect() (RemoteEngine) 作为客户端。")

MESSAGES = {
    "server.body_clone": ("a reference clip of at most 50 MiB", "最大 50 MiB 的参考音频"),
    "server.body_synthesis": ("a voice file and at most 20,000 characters of text",
                              "一个声音文件和最多 20,000 个字符的文本"),
    "server.body_text": ("at most 20,000 characters of text", "最多 20,000 个字符的文本"),
    "server.body_too_large": ("The request is {mib:.0f} MiB; this route takes at most {limit} MiB ({what}).",
                              "请求大小 {mib:.0f} MiB；此接口最多接受 {limit} MiB ({what})。"),
    "server.body_too_large.fix": ("{advice}", "{advice}"),
    "server.advice_clone": ("Send a shorter clip: cloning uses 3-30 s of speech.",
                            "请发送更短的音频：克隆只用 3-30 秒的人声。"),
    "server.advice_text": ("Send long text in parts (voxnb book and voxnb batch split it for you).",
                           "长文本请分段发送 (voxnb book 和 voxnb batch 会替你切分)。"),
    "server.message_inflates": ("The request's arrays would take {mib:.0f} MiB once unpacked; this route takes at "
                                "most {limit} MiB ({what}).",
                                "请求中的数组解压后将占 {mib:.0f} MiB；此接口最多接受 {limit} MiB ({what})。"),
    "server.message_inflates.fix": ("Send the audio and voice as voxnb.connect() does, uncompressed and within "
                                    "the limit.",
                                    "请像 voxnb.connect() 那样发送未压缩、在限制内的音频和声音。"),
    "server.body_too_slow": ("The request's body stopped arriving for {seconds:g} s (after {got} bytes).",
                             "请求体已停止传输 {seconds:g} 秒 (已收到 {got} 字节)。"),
    "server.body_too_slow.fix": ("Check the network between client and server, then send the request again.",
                                 "请检查客户端与服务之间的网络，然后重新发送请求。"),
    "server.client_left": ("The client closed the connection before its request arrived in full.",
                           "客户端在请求完整到达之前关闭了连接。"),
    "server.client_left.fix": ("Send the request again.", "请重新发送请求。"),
    "server.body_empty": ("The request is empty: this route needs a voxnb message.",
                          "请求为空：此接口需要一条 voxnb 消息。"),
    "server.body_empty.fix": _CLIENT,
    "server.request_voxnb_message": ("The request is not a voxnb message: {err}.", "请求不是 voxnb 消息：{err}。"),
    "server.request_voxnb_message.fix": _CLIENT,
    "server.request_lacks": ("The request lacks {err}.", "请求缺少 {err}。"),
    "server.request_lacks.fix": _CLIENT,
    "server.field_type": ("The request's {name!r} is {got}; it must be {want}.",
                          "请求中的 {name!r} 是 {got}；它必须是 {want}。"),
    "server.field_type.fix": _CLIENT,
    "server.field_length": ("The request's {name} is longer than {limit} characters.",
                            "请求中的 {name} 超过 {limit} 个字符。"),
    "server.field_length.fix": ("Shorten it.", "请缩短它。"),
    "server.array_kind": ("The request's {name!r} array is not {want}.", "请求中的 {name!r} 数组不是 {want}。"),
    "server.array_kind.fix": _CLIENT,
    "server.bad_filename": ("The reference's file name {shown!r} is not a plain file name (no folder, no NUL, "
                            "not '.' or '..', at most 255 characters).",
                            "参考音频的文件名 {shown!r} 不是普通文件名 (不能含文件夹、NUL，不能是 '.' 或 '..'，"
                            "最多 255 个字符)。"),
    "server.bad_filename.fix": ("Send the clip under its own name, e.g. me.wav.", "请用它本来的名字发送，例如 me.wav。"),
    "server.bad_report": ("The prepared reference's report is not one voxnb makes.",
                          "已处理参考音频的报告不是 voxnb 生成的格式。"),
    "server.bad_report.fix": ("Send the clip itself (a file or an (audio, sample_rate) pair) instead.",
                              "请改为发送音频本身 (文件或 (audio, sample_rate))。"),
    "server.sample_rate": ("The reference's sample_rate {rate} is not a whole number of Hz from 4000 to 384000.",
                           "参考音频的 sample_rate {rate} 不是 4000 到 384000 之间的整数赫兹。"),
    "server.sample_rate.fix": ("Send the rate the audio was recorded at, e.g. 24000.",
                               "请发送音频实际的采样率，例如 24000。"),
    "server.prepared_reference": ("A prepared reference is mono float audio at 24 kHz of at most {limit:g} s; this "
                                  "one is {seconds:.1f} s at {rate} Hz.",
                                  "已处理的参考音频应为 24 kHz 单声道浮点音频，最长 {limit:g} 秒；这段为 "
                                  "{seconds:.1f} 秒、{rate} Hz。"),
    "server.prepared_reference.fix": ("Send the clip itself; the server prepares it (a long one is cut to its best "
                                      "10-15 s).",
                                      "请直接发送音频，由服务处理 (过长的会截取最好的 10-15 秒)。"),
    "server.unknown_clone_option": ("Unknown clone option(s) {unknown}; this engine takes {known}.",
                                    "未知的克隆选项 {unknown}；此引擎接受 {known}。"),
    "server.unknown_clone_option.fix": ("Leave them out.", "请去掉它们。"),
    "server.foreign_host": ("Host {host!r} is not served here.", "此处不服务 Host {host!r}。"),
    "server.foreign_host.fix": ("Reach the engine server as 127.0.0.1 or localhost.",
                                "请通过 127.0.0.1 或 localhost 访问引擎服务。"),
    "server.foreign_origin": ("A request from the web page at {origin} is refused: the engine server answers "
                              "its own clients, not other sites.",
                              "来自网页 {origin} 的请求被拒绝：引擎服务只回应自己的客户端，不回应其他网站。"),
    "server.foreign_origin.fix": ("To use the server from a web front end of your own, start it with "
                                  "--allow-origin {origin}.",
                                  "如要从你自己的网页前端使用此服务，请用 --allow-origin {origin} 启动它。"),
    "server.preflight_without_origin": ("A CORS preflight without an Origin is refused.",
                                        "没有 Origin 的 CORS 预检请求被拒绝。"),
    "server.preflight_without_origin.fix": _CLIENT,
    "server.not_a_voxnb_client": ("The request lacks the {header} header that voxnb's client sends; a web page's "
                                  "request is refused.",
                                  "请求缺少 voxnb 客户端会发送的 {header} 头；网页发出的请求会被拒绝。"),
    "server.not_a_voxnb_client.fix": ("Use voxnb.connect() (RemoteEngine), or send the header yourself with any "
                                      "value.",
                                      "请使用 voxnb.connect() (RemoteEngine)，或自己带上此请求头 (任意值)。"),
    "server.wrong_content_type": ("The request's content type is {kind}; the engine server takes {want}.",
                                  "请求的内容类型是 {kind}；引擎服务只接受 {want}。"),
    "server.wrong_content_type.fix": _CLIENT,
    "server.needs_token": ("The engine server needs its token.", "引擎服务需要它的令牌。"),
    "server.needs_token.fix": ("Pass token=... to voxnb.connect (or set VOXNB_SERVER_TOKEN).",
                               "请给 voxnb.connect 传入 token=... (或设置 VOXNB_SERVER_TOKEN)。"),
    "server.token_wait": ("Too many wrong tokens from this address: the next try is taken in {seconds:.1f} s.",
                          "此地址的错误令牌过多：{seconds:.1f} 秒后才接受下一次尝试。"),
    "server.token_wait.fix": ("Wait, then use the token the server was started with (VOXNB_SERVER_TOKEN).",
                              "请稍候，然后使用服务启动时的令牌 (VOXNB_SERVER_TOKEN)。"),
    "server.token_too_short": ("The token has {n} characters; the engine server takes {min_chars} or more.",
                               "令牌只有 {n} 个字符；引擎服务要求至少 {min_chars} 个。"),
    "server.token_too_short.fix": ("Make one with: python -c \"import secrets; print(secrets.token_urlsafe(24))\" "
                                   "and pass it as VOXNB_SERVER_TOKEN or --token-file.",
                                   "可用 python -c \"import secrets; print(secrets.token_urlsafe(24))\" 生成，"
                                   "再通过 VOXNB_SERVER_TOKEN 或 --token-file 传入。"),
    "server.token_file_unreadable": ("Cannot read the token file {path}: {reason}.", "无法读取令牌文件 {path}：{reason}。"),
    "server.token_file_unreadable.fix": ("Check the path and its permissions.", "请检查路径和权限。"),
    "cli.hostile_needs_local_server": ("The engine server at {url} runs on another machine: its memory cannot be "
                                       "read from here.",
                                       "{url} 的引擎服务运行在另一台机器上：无法从这里读取它的内存。"),
    "cli.hostile_needs_local_server.fix": ("Run voxnb bench --hostile on the server's machine, or leave out --server.",
                                           "请在服务所在的机器上运行 voxnb bench --hostile，或去掉 --server。"),
    "server.timeout_positive": ("--read-timeout {read:g} and --send-timeout {send:g} must be positive.",
                                "--read-timeout {read:g} 和 --send-timeout {send:g} 必须为正数。"),
    "server.timeout_positive.fix": ("Leave them out for 30 s each.", "不写则各为 30 秒。"),
}
