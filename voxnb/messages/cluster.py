"""Messages of replicated serving and cluster batches (voxnb/server/cluster.py, voxnb/runs): key -> (en, zh)."""

MESSAGES = {
    "server.replica_lost": ("The {name} replica running this request stopped ({sent} its audio was sent), and "
                            "it could not be finished elsewhere.",
                            "运行此请求的 {name} 副本已停止 (在音频发送{sent})，无法转到其他副本完成。"),
    "server.replica_lost.fix": ("Send the request again: another replica answers it (health lists the replicas).",
                                "请重新发送该请求：会由另一个副本处理 (health 列出了所有副本)。"),
    "cluster.replicas_value": ("--replicas {value!r} is not a number of replicas.",
                               "--replicas {value!r} 不是副本数。"),
    "cluster.replicas_value.fix": ("Give a whole number of 1 or more, 'all' (one per GPU, or per CPU core "
                                   "without one), or 'auto' (scaled between 1 and --max-replicas on queue length).",
                                   "请给出 1 或更大的整数、'all' (每个 GPU 一个，无 GPU 时每个 CPU 核一个) 或 "
                                   "'auto' (按队列长度在 1 到 --max-replicas 之间伸缩)。"),
    "cluster.max_ongoing": ("--max-ongoing {value} is not a number of requests.", "--max-ongoing {value} 不是请求数。"),
    "cluster.max_ongoing.fix": ("Give 1 or more (2 keeps a GPU busy while the next request is prepared).",
                                "请给出 1 或更大的数 (2 可以在准备下一个请求时让 GPU 保持忙碌)。"),
    "cluster.needs_ray": ("Replicas and cluster batches need Ray, which this environment lacks.",
                          "副本与集群批量需要 Ray，但当前环境没有安装。"),
    "cluster.needs_ray.fix": ("Install it: pip install 'ray[serve]' (or bash 1-click-start.sh --replicas N, which "
                              "installs it).",
                              "请安装：pip install 'ray[serve]' (或运行 bash 1-click-start.sh --replicas N，它会安装)。"),
    "cluster.ray_unreachable": ("No Ray cluster answers at {address}: {reason}",
                                "{address} 处没有可连接的 Ray 集群：{reason}"),
    "cluster.ray_unreachable.fix": ("Start one there (ray start --head), or leave out the address to start a local "
                                    "one on this machine.",
                                    "请先在该处启动 (ray start --head)，或不写地址，在本机启动一个本地 Ray。"),
    "cli.bench_numbers": ("{flag} {value!r} is not a list of numbers.", "{flag} {value!r} 不是数字列表。"),
    "cli.bench_numbers.fix": ("Give whole numbers of 1 or more, separated by commas, e.g. {flag} 1,2.",
                              "请给出以逗号分隔的正整数，例如 {flag} 1,2。"),
    "cluster.sent_before": ("before", "之前"),
    "cluster.sent_after": ("after part of", "之后"),
    "batch.worker_lost": ("A batch worker stopped while speaking row {row}, {tries} times.",
                          "批量工作进程在合成第 {row} 行时停止了 {tries} 次。"),
    "batch.worker_lost.fix": ("Run the batch again: it speaks only the rows not done. If it stops again, the "
                              "workers' memory may be too small for this engine.",
                              "请再次运行批量：只会合成未完成的行。若再次停止，可能是工作进程的内存不足以运行此引擎。"),
    "batch.folder_busy": ("Another batch is writing into {path}.", "另一个批量任务正在写入 {path}。"),
    "batch.folder_busy.fix": ("Wait for it to finish, or choose another --out folder.",
                              "请等待它完成，或换一个 --out 文件夹。"),
}
