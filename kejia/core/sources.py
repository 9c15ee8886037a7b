"""The policy texts the rules come from, by the file name the code and docs cite them by
(docs/*.md, `source` fields), and `in_words`, which pages use so that they cite the texts by their
titles, never by file name: 《江苏省科协系统深化改革实施方案》二.5, not seeds/003_….txt 二.5."""

import re

DOCUMENTS = {
    "000": "《科协系统深化改革实施方案》",
    "001": "《中国科协关于贯彻落实中央群团工作部署 加强和改进科协工作的意见》",
    "002": "《中国科协组织建设“十四五”规划（2021—2025年）》",
    "003": "《江苏省科协系统深化改革实施方案》",
    "004": "《关于申报第二批地方科协深化改革工作试点的通知》",
}
SEED_FILE = re.compile(r"(?:seeds/)?(\d{3})_[0-9a-f]{16}\.txt\s*")


def in_words(text: str) -> str:
    """`text` with every seed file name replaced by the title of its document, and the word
    种子文件 (the developers' name for them) by 政策文件."""
    text = SEED_FILE.sub(lambda m: DOCUMENTS.get(m.group(1), "政策文件"), text or "")
    return text.replace("种子文件", "政策文件").replace("种子", "政策文件")
