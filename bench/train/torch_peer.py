"""PyTorch CPU peer of the train section: the same networks, batch, loss and optimiser as ours, on one thread.

Reads one JSON request on stdin (bench/train/torch-peer.ts builds it) and writes one JSON answer on stdout:
  request  {"jobs": [job, ...]}; a job is {"model": "mlp"|"cnn"|"text", "warmup", "repeats", "budgetSeconds",
           "minRuns", ...its shape} (timed training steps) or {"model": "loss", ...} (one loss value, for the
           check that the peer computes what ours does)
  answer   {"torch": version, "threads": n, "results": [{"model", "parameters", "batch", "samplesMs", "loss"}
           or {"model", "error"}, ...]}
The losses follow pytorch-metric-learning's definitions (written out here: Debian packages no PML).
"""

import json
import math
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


# --- losses (PML defaults) -------------------------------------------------------------------------------


def triplet_margin(embeddings, labels, margin):
    """PML TripletMarginLoss: all triplets, normalised Euclidean distance, avg_non_zero reducer."""
    z = F.normalize(embeddings, p=2, dim=1)
    mat = torch.cdist(z, z, p=2)
    matches = labels.unsqueeze(1) == labels.unsqueeze(0)
    diffs = ~matches
    matches.fill_diagonal_(False)
    a, p, n = torch.where(matches.unsqueeze(2) & diffs.unsqueeze(1))
    losses = F.relu(mat[a, p] - mat[a, n] + margin)
    positive = losses > 0
    count = positive.sum()
    return losses[positive].sum() / count if count > 0 else losses.sum() * 0


def masked_logsumexp_add_one(x, keep):
    """PML's lmu.logsumexp(x, keep_mask, add_one=True) over dim 1; rows with nothing kept give 0."""
    x = x.masked_fill(~keep, float("-inf"))
    x = torch.cat([x, torch.zeros(x.shape[0], 1, dtype=x.dtype)], dim=1)
    out = torch.logsumexp(x, dim=1)
    return out.masked_fill(~keep.any(dim=1), 0)


def multi_similarity(embeddings, labels, alpha, beta, base):
    """PML MultiSimilarityLoss: cosine similarity, all pairs, mean over anchors."""
    z = F.normalize(embeddings, p=2, dim=1)
    mat = z @ z.t()
    matches = labels.unsqueeze(1) == labels.unsqueeze(0)
    negatives = ~matches
    matches.fill_diagonal_(False)
    pos = masked_logsumexp_add_one(alpha * (base - mat), matches) / alpha
    neg = masked_logsumexp_add_one(beta * (mat - base), negatives) / beta
    return (pos + neg).mean()


def multiple_negatives_ranking(anchors, positives, scale, symmetric):
    """sentence-transformers' MultipleNegatives(Symmetric)RankingLoss with cosine similarity."""
    scores = scale * (F.normalize(anchors, dim=1) @ F.normalize(positives, dim=1).t())
    targets = torch.arange(anchors.shape[0])
    forward = F.cross_entropy(scores, targets)
    if not symmetric:
        return forward
    return (forward + F.cross_entropy(scores[:, : anchors.shape[0]].t(), targets)) / 2


def loss_value(job):
    x = torch.tensor(job["embeddings"], dtype=torch.float32)
    labels = torch.tensor(job["labels"], dtype=torch.int64)
    name = job["loss"]
    if name == "triplet_margin":
        value = triplet_margin(x, labels, job["margin"])
    elif name == "multi_similarity":
        value = multi_similarity(x, labels, job["alpha"], job["beta"], job["base"])
    else:
        ref = torch.tensor(job["refEmbeddings"], dtype=torch.float32)
        value = multiple_negatives_ranking(x, ref, job["scale"], job["symmetric"])
    return {"model": "loss", "loss": value.item()}


# --- networks ------------------------------------------------------------------------------------------


class Cnn(torch.nn.Module):
    """The default image model (trainer/tasks/image/cnn.ts): per block a 3x3 'same' convolution, batch norm,
    ReLU and a 2x2 max pool; then flatten, one dense layer and L2 normalisation."""

    def __init__(self, shape):
        super().__init__()
        layers = []
        channels = 1
        k = shape["kernelSize"]
        for width in shape["convWidths"]:
            layers.append(torch.nn.Conv2d(channels, width, k, padding=k // 2, bias=not shape["batchNorm"]))
            if shape["batchNorm"]:
                layers.append(torch.nn.BatchNorm2d(width, eps=1e-5, momentum=0.1))
            layers += [torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
            channels = width
        blocks = len(shape["convWidths"])
        flat = (shape["height"] >> blocks) * (shape["width"] >> blocks) * channels
        layers.append(torch.nn.Flatten())
        if shape["dense"]:
            layers.append(torch.nn.Linear(flat, shape["embeddingDim"]))
        self.body = torch.nn.Sequential(*layers)

    def forward(self, x):
        return F.normalize(self.body(x), dim=1)


def mlp(job):
    return torch.nn.Sequential(
        torch.nn.Linear(job["inputDim"], job["hidden"]),
        torch.nn.ReLU(),
        torch.nn.Linear(job["hidden"], job["outputDim"]),
    )


def seeded_labels(batch, classes):
    return torch.arange(batch) % classes


def mlp_step(job):
    torch.manual_seed(1)
    net = mlp(job)
    x = torch.rand(job["batch"], job["inputDim"])
    labels = seeded_labels(job["batch"], job["classes"])
    optimizer = torch.optim.Adam(net.parameters(), lr=job["learningRate"])

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = triplet_margin(net(x), labels, job["margin"])
        loss.backward()
        optimizer.step()
        return loss.item()

    return net.parameters(), step


def cnn_step(job):
    torch.manual_seed(1)
    shape = job["shape"]
    net = Cnn(shape).train()
    x = torch.randn(job["batch"], 1, shape["height"], shape["width"])
    labels = seeded_labels(job["batch"], job["classes"])
    optimizer = torch.optim.Adam(net.parameters(), lr=job["learningRate"])
    ms = job["multiSimilarity"]

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = multi_similarity(net(x), labels, ms["alpha"], ms["beta"], ms["base"])
        loss.backward()
        optimizer.step()
        return loss.item()

    return net.parameters(), step


def text_step(job):
    """Embedding bag (weighted mean of hashed n-gram rows), dense layer, L2 norm; sparse rows with SparseAdam
    (lazy, as ours), Adam on the dense layer; the featurized batches come from ours, one per step in turn."""
    torch.manual_seed(1)
    table = torch.nn.EmbeddingBag(job["buckets"], job["embeddingDim"], mode="sum", sparse=True)
    torch.nn.init.uniform_(table.weight, -0.1, 0.1)
    dense = torch.nn.Linear(job["embeddingDim"], job["outputDim"])
    sparse_adam = torch.optim.SparseAdam(list(table.parameters()), lr=job["learningRate"])
    adam = torch.optim.Adam(dense.parameters(), lr=job["learningRate"])

    def side(batch):
        ids = torch.tensor(batch["ids"], dtype=torch.int64).view(batch["batch"], batch["length"])
        weights = torch.tensor(batch["weights"], dtype=torch.float32).view(batch["batch"], batch["length"])
        scale = weights / weights.sum(dim=1, keepdim=True).clamp_min(1e-6)
        return ids, scale

    batches = [(side(b["anchors"]), side(b["positives"])) for b in job["batches"]]
    counter = [0]

    def encode(ids, scale):
        return F.normalize(dense(table(ids, per_sample_weights=scale)), dim=1)

    def step():
        (anchor_ids, anchor_scale), (positive_ids, positive_scale) = batches[counter[0] % len(batches)]
        counter[0] += 1
        sparse_adam.zero_grad(set_to_none=True)
        adam.zero_grad(set_to_none=True)
        loss = multiple_negatives_ranking(
            encode(anchor_ids, anchor_scale), encode(positive_ids, positive_scale), job["scale"], job["symmetric"]
        )
        loss.backward()
        sparse_adam.step()
        adam.step()
        return loss.item()

    return list(table.parameters()) + list(dense.parameters()), step


STEPS = {"mlp": mlp_step, "cnn": cnn_step, "text": text_step}


def timed(job):
    parameters, step = STEPS[job["model"]](job)
    count = sum(p.numel() for p in parameters)
    loss = math.nan
    for _ in range(job["warmup"]):
        loss = step()
    samples = []
    spent = 0.0
    for i in range(job["repeats"]):
        if spent > job["budgetSeconds"] * 1000 and i >= job["minRuns"]:
            break
        start = time.perf_counter()
        loss = step()
        ms = (time.perf_counter() - start) * 1000
        spent += ms
        samples.append(ms)
    batch = job["batch"] if job["model"] != "text" else job["batches"][0]["anchors"]["batch"]
    return {"model": job["model"], "parameters": count, "batch": batch, "samplesMs": samples, "loss": loss}


def run(job):
    try:
        return loss_value(job) if job["model"] == "loss" else timed(job)
    except Exception as error:  # one failed job must not hide the others' figures
        return {"model": job["model"], "error": f"{type(error).__name__}: {error}"}


def main():
    request = json.load(sys.stdin)
    results = [run(job) for job in request["jobs"]]
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
