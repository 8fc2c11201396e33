import json
import numpy as np

out = "export"  # the --out DIR of: encore export --model model.encore --format npy --out export
U = np.load(f"{out}/user_factors.npy")      # float32 (users, rank): row i is user i
V = np.load(f"{out}/item_factors.npy")      # float32 (items, rank); rows without factors are zeros
has_v = np.load(f"{out}/item_present.npy")  # bool (items,): which items have factors
with open(f"{out}/user_labels.jsonl", encoding="utf-8") as f:
    users = [json.loads(line) for line in f]  # line i: the label of row i
with open(f"{out}/item_labels.jsonl", encoding="utf-8") as f:
    items = [json.loads(line) for line in f]

row = {label: i for i, label in enumerate(users)}
scores = np.where(has_v, V @ U[row["alice"]], -np.inf)  # the scores encore recommend ranks by
for i in np.argsort(-scores, kind="stable")[:3]:
    print(f"{scores[i]:.4f} {items[i]}")
