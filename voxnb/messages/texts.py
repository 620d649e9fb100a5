"""Messages of the text to speak and its markup (voxnb/text).

key -> (English, Chinese); an error's fix is its key plus ".fix"."""

MESSAGES = {
    "text.markup_hint": ("Write pinyin like [h][ào] or [hao4] (tone 1-5), ARPAbet like [M][AY0][N][UW1][T] (vowels "
                         "with stress 0/1/2), or a tag: {tags}.",
                         "拼音写作 [h][ào] 或 [hao4] (声调 1-5)，ARPAbet 写作 [M][AY0][N][UW1][T] (元音带重音 0/1/2)，"
                         "或用标签：{tags}。"),
    "text.text_must_string": ("The text must be a string, not {type}.", "文本必须是字符串，不能是 {type}。"),
    "text.text_must_string.fix": ("Pass the text as str.", "请以 str 传入文本。"),
    "text.text_empty": ("The text is empty.", "文本为空。"),
    "text.text_empty.fix": ("Type something to say, e.g. 'Hello there.'", "请输入要朗读的文字，例如“你好”。"),
    "text.text_characters_limit": ("The text is {n:,} characters; the limit is {max_text_chars:,}.",
                                   "文本有 {n:,} 个字符，上限是 {max_text_chars:,}。"),
    "text.text_characters_limit.fix": ("Split it into parts of at most {max_text_chars:,} characters and "
                                       "synthesise them one after another.",
                                       "请分成每段最多 {max_text_chars:,} 个字符，依次合成。"),
    "text.text_run_letters_space": ("The text has a run of {n:,} letters with no space or punctuation "
                                    "(characters {start}-{end}: '{head}…'); no word is that long, and only the "
                                    "start of it would be heard.",
                                    "文本中有一串 {n:,} 个字母，中间没有空格或标点 (第 {start}-{end} 个字符：'{head}…')；没有这么长的单词，"
                                    "只会读出开头一部分。"),
    "text.text_run_letters_space.fix": ("Put spaces between the words (the longest English words have "
                                        "{max_word_letters} letters), or remove the run.",
                                        "请在单词之间加空格 (最长的英文单词有 {max_word_letters} 个字母)，或删掉这串字母。"),
    "text.strong_never_closed": ("A '<strong>' is never closed.", "有一个“<strong>”没有闭合。"),
    "text.strong_never_closed.fix": ("Close the emphasis with </strong>.", "请用 </strong> 结束强调。"),
    "text.strong_strong_before": ("A '</strong>' has no '<strong>' before it.", "有一个“</strong>”前面没有“<strong>”。"),
    "text.strong_strong_before.fix": ("Remove it, or add <strong> where the emphasis starts.",
                                      "请删掉它，或在强调开始处加上 <strong>。"),
    "text.mandarin_syllable": ("'{body}{tone}' is not a Mandarin syllable.", "“{body}{tone}”不是普通话音节。"),
    "text.mandarin_syllable.fix": ("{hint}", "{hint}"),
    "text.initial_final_after": ("The initial '[{pending}]' has no final after it.", "声母“[{pending}]”后面缺少韵母。"),
    "text.initial_final_after.fix": ("Follow it with a final and tone, like [h][ào]. {hint}",
                                     "请在后面加上韵母和声调，例如 [h][ào]。{hint}"),
    "text.bracket_group_mixes_pinyin": ("A bracket group mixes pinyin and ARPAbet.", "同一组方括号里混用了拼音和 ARPAbet 音标。"),
    "text.bracket_group_mixes_pinyin.fix": ("Use one kind per group; separate them with a space. {hint}",
                                            "每组只用一种，两组之间用空格隔开。{hint}"),
    "text.pinyin": ("'[{token}]' is not pinyin.", "“[{token}]”不是拼音。"),
    "text.pinyin.fix": ("{hint}", "{hint}"),
    "text.arpabet_vowel_stress_digit": ("The ARPAbet vowel '[{token}]' has no stress digit.",
                                        "ARPAbet 元音“[{token}]”缺少重音数字。"),
    "text.arpabet_vowel_stress_digit.fix": ("Write it with 0, 1 or 2, like [{token}1]. {hint}",
                                            "请加上 0、1 或 2，例如 [{token}1]。{hint}"),
    "text.arpabet_phone": ("'[{token}]' is not an ARPAbet phone.", "“[{token}]”不是 ARPAbet 音素。"),
    "text.arpabet_phone.fix": ("{hint}", "{hint}"),
    "text.before": ("A ']' has no '[' before it.", "有一个“]”前面没有“[”。"),
    "text.before.fix": ("Remove it, or open the bracket: {hint}", "请删掉它，或补上左方括号：{hint}"),
    "text.final_tone": ("The final '[{token}]' has no tone.", "韵母“[{token}]”缺少声调。"),
    "text.final_tone.fix": ("Add a tone mark or a digit 1-5, like [ào] or [ao4]. {hint}",
                            "请加上声调符号或数字 1-5，例如 [ào] 或 [ao4]。{hint}"),
    "text.never_closed": ("A '[' is never closed.", "有一个“[”没有闭合。"),
    "text.never_closed.fix": ("Close it with ']': {hint}", "请用“]”闭合：{hint}"),
    "text.empty_brackets": ("Empty brackets '[]'.", "方括号“[]”里是空的。"),
    "text.empty_brackets.fix": ("Put a syllable, phone or tag inside: {hint}", "请在里面写一个音节、音素或标签：{hint}"),
    "text.pinyin_tone": ("The pinyin '[{token}]' has no tone.", "拼音“[{token}]”缺少声调。"),
    "text.pinyin_tone.fix": ("Add a tone mark or a digit 1-5, like [hǎo] or [hao3]. {hint}",
                             "请加上声调符号或数字 1-5，例如 [hǎo] 或 [hao3]。{hint}"),
    "text.unknown_language": ("Unknown language {lang!r}.", "未知的语言 {lang!r}。"),
    "text.unknown_language.fix": ("Use one of: {langs}.", "可选：{langs}。"),
    "text.nothing_in_script": ("The text has nothing voxnb can speak: it is written in {scripts} ({shown}), and "
                               "voxnb reads English and Mandarin only.",
                               "文本中没有 voxnb 能朗读的内容：它是用{scripts}写的 ({shown})，而 voxnb 只能朗读英语和普通话。"),
    "text.nothing_in_script.fix": ("Type something to say in words, in English or Chinese.", "请用英文或中文写出要说的话。"),
    "text.nothing_speakable_runs": ("The text has nothing speakable: it holds only {runs}.",
                                    "文本中没有可朗读的内容：只有{runs}。"),
    "text.nothing_speakable_runs.fix": ("Type something to say in words, in English or Chinese.", "请用英文或中文写出要说的话。"),
    "text.nothing_speakable_marks": ("The text has nothing speakable: it holds only punctuation, symbols or markup "
                                     "('{shown}').",
                                     "文本中没有可朗读的内容：只有标点、符号或标记 (“{shown}”)。"),
    "text.nothing_speakable_marks.fix": ("Type something to say in words, in English or Chinese.", "请用英文或中文写出要说的话。"),
    # text/frontend.py: what a chunk could not do as written
    "text.warn_no_emphasis": ("<strong> at character {n}: Kokoro has no emphasis control; the text is read without "
                              "emphasis.",
                              "第 {n} 个字符处的 <strong>：Kokoro 没有强调控制，这段文字按普通语气朗读。"),
    "text.warn_tag_skipped": ("[{tag}] at character {n}: Kokoro cannot produce it; skipped.",
                              "第 {n} 个字符处的 [{tag}]：Kokoro 无法发出，已跳过。"),
    "text.warn_dropped_symbols": ("Dropped symbols the model cannot read: {bad}.", "已删去模型无法读取的符号：{bad}。"),
}
