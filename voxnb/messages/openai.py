"""Messages of the OpenAI-compatible speech API (voxnb/server/openai_api.py): key -> (en, zh).

An error's fix is its key plus ".fix"; OpenAI's clients show problem and fix together as the message."""

_BODY = ("Send a JSON object with \"model\", \"voice\" and \"input\" (text), as OpenAI's clients do.",
         "请发送含 \"model\"、\"voice\" 和 \"input\" (文本) 的 JSON 对象，与 OpenAI 的客户端一样。")

MESSAGES = {
    "openai.body": ("a JSON request with at most 4,096 characters of input", "一个输入最多 4,096 个字符的 JSON 请求"),
    "openai.not_json": ("The request body is not JSON ({reason}).", "请求体不是 JSON ({reason})。"),
    "openai.not_json.fix": _BODY,
    "openai.not_object": ("The request body is a JSON {got}, not an object.", "请求体是 JSON {got}，不是对象。"),
    "openai.not_object.fix": _BODY,
    "openai.field_missing": ("The request lacks {name!r}.", "请求缺少 {name!r}。"),
    "openai.field_missing.fix": _BODY,
    "openai.field_type": ("The request's {name!r} is {got}; it must be {want}.",
                          "请求中的 {name!r} 是 {got}；它必须是 {want}。"),
    "openai.field_type.fix": _BODY,
    "openai.model_not_found": ("This server does not serve the model {model!r}.", "此服务不提供模型 {model!r}。"),
    "openai.model_not_found.fix": ("Use one of {served}: they all mean the engine this server has loaded "
                                   "(GET /v1/models lists them).",
                                   "请使用 {served} 之一：它们都指此服务已加载的引擎 (GET /v1/models 可列出)。"),
    "openai.input_too_long": ("The input is {n} characters; one request speaks at most {limit}.",
                              "输入有 {n} 个字符；一次请求最多朗读 {limit} 个。"),
    "openai.input_too_long.fix": ("Split the text into requests of at most {limit} characters, or speak a long "
                                  "text with `voxnb book`, which splits it for you.",
                                  "请把文本分成每段最多 {limit} 个字符的多次请求，或用 `voxnb book` 朗读长文本 "
                                  "(它会替你切分)。"),
    "openai.input_empty": ("The input is empty: there is nothing to speak.", "输入为空：没有可朗读的内容。"),
    "openai.input_empty.fix": ("Send the text to speak as 'input'.", "请把要朗读的文本放在 'input' 中发送。"),
    "openai.too_long": ("The request's {name!r} is longer than {limit} characters.",
                        "请求中的 {name!r} 超过 {limit} 个字符。"),
    "openai.too_long.fix": ("Shorten it.", "请缩短它。"),
    "openai.unknown_choice": ("Unknown {name} {value!r}.", "未知的 {name} {value!r}。"),
    "openai.unknown_choice.fix": ("Use one of {choices} (default {default}).", "请使用 {choices} 之一 (默认 {default})。"),
    "openai.speed_range": ("Speed {speed} is outside voxnb's range {lo} to {hi}; OpenAI's API allows 0.25 to 4.0, "
                           "but beyond voxnb's range voices slur or drag.",
                           "语速 {speed} 超出 voxnb 的范围 {lo} 到 {hi}；OpenAI 的接口允许 0.25 到 4.0，"
                           "但超出 voxnb 的范围后声音会含糊或拖沓。"),
    "openai.speed_range.fix": ("Use a speed from {lo} to {hi} (1.0 is normal).",
                               "请使用 {lo} 到 {hi} 之间的语速 (1.0 为正常)。"),
    "openai.unknown_voice": ("This server has no voice called {voice!r}.", "此服务没有名为 {voice!r} 的声音。"),
    "openai.unknown_voice.fix": ("Name a saved voice ({saved}) or a stock voice of {engine} ({stock}); GET "
                                 "/v1/audio/voices lists them all. To add your own, clone it on the server's "
                                 "machine with `voxnb clone REF --name NAME --consent`.",
                                 "请使用已保存的声音 ({saved}) 或 {engine} 的内置声音 ({stock})；GET "
                                 "/v1/audio/voices 可列出全部。要添加自己的声音，请在服务所在的机器上用 "
                                 "`voxnb clone REF --name NAME --consent` 克隆。"),
    "openai.wrong_content_type": ("The request's content type is {kind}; the speech API takes application/json.",
                                  "请求的内容类型是 {kind}；语音接口只接受 application/json。"),
    "openai.wrong_content_type.fix": ("Send the JSON body with Content-Type: application/json, as OpenAI's "
                                      "clients do.",
                                      "请以 Content-Type: application/json 发送 JSON 请求体，与 OpenAI 的客户端一样。"),
    "openai.needs_token": ("This server needs its token.", "此服务需要它的令牌。"),
    "openai.needs_token.fix": ("Give the server's token as the client's api_key (it is sent as Authorization: "
                               "Bearer TOKEN).",
                               "请把服务的令牌作为客户端的 api_key 传入 (它以 Authorization: Bearer TOKEN 发送)。"),
}
