"""Messages of fine-tuning (voxnb/finetune): key -> (en, zh)."""

MESSAGES = {
    "finetune.no_files": ("No recordings were given.", "没有给出录音。"),
    "finetune.no_files.fix": ("Give 1-60 minutes of one person speaking, in any number of audio files.",
                              "请提供同一个人 1-60 分钟的讲话录音，文件数量不限。"),
    "finetune.no_dataset": ("{folder} holds no fine-tuning dataset (no manifest.jsonl and dataset.json).",
                            "{folder} 中没有微调数据集 (缺少 manifest.jsonl 与 dataset.json)。"),
    "finetune.no_dataset.fix": ("Make one with: voxnb finetune prepare FILES... --name NAME --out {folder} --consent",
                                "请先创建：voxnb finetune prepare 文件... --name 名称 --out {folder} --consent"),
    "finetune.dataset_exists": ("{folder} already holds a dataset.", "{folder} 中已经有一个数据集。"),
    "finetune.dataset_exists.fix": ("Give another --out folder (the dataset there, and its edits, are kept).",
                                    "请换一个 --out 文件夹 (原有数据集及其修改会保留)。"),
    "finetune.not_audio": ("{name} cannot be read as audio: {reason}", "{name} 无法作为音频读取：{reason}"),
    "finetune.not_audio.fix": ("Give WAV, FLAC, OGG or MP3 files (convert others with ffmpeg).",
                               "请提供 WAV、FLAC、OGG 或 MP3 文件 (其他格式可用 ffmpeg 转换)。"),
    "finetune.source_too_long": ("{name} is {minutes} minutes long; one file may be at most {most}.",
                                 "{name} 长 {minutes} 分钟；单个文件最长 {most} 分钟。"),
    "finetune.source_too_long.fix": ("Split it into parts (ffmpeg -f segment) and give them all.",
                                     "请把它拆成几段 (ffmpeg -f segment) 后一起提供。"),
    "finetune.too_little": ("Only {kept} s of usable speech was found; a fine-tune needs at least {need} s.",
                            "只找到 {kept} 秒可用语音；微调至少需要 {need} 秒。"),
    "finetune.too_little.fix": ("Add about {more} s more of the same person speaking (clean, one speaker); "
                                "why each segment was dropped is in {folder}/manifest.jsonl.",
                                "请再补充约 {more} 秒同一人的清晰讲话 (只有一人)；每段被丢弃的原因见 "
                                "{folder}/manifest.jsonl。"),
}
