"""Anchor for bench_cnn: the same two-convolution network, batch size, optimizer, learning-rate
schedule, threads and epochs in Python torch, on Fashion-MNIST read from the same IDX files.

  anchor_cnn.py DATA_DIR THREADS EPOCHS BATCH [IMAGES] -> {"epoch_s": [...], "accuracy": test accuracy}
IMAGES > 0 trains on the first IMAGES training images only (as max_train_images does).
"""
import gzip
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = F.dropout(x, 0.25, self.training)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, 0.5, self.training)
        return self.fc2(x)


def main():
    data_dir, threads, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    images = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    xtr = torch.from_numpy(idx(data_dir + "/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    ytr = torch.from_numpy(idx(data_dir + "/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(idx(data_dir + "/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    yte = torch.from_numpy(idx(data_dir + "/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    if images > 0:
        xtr, ytr = xtr[:images], ytr[:images]
    mean, std = xtr.mean().item(), xtr.std().item()
    xtr = (xtr - mean) / std
    xte = (xte - mean) / std
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    gen = torch.Generator().manual_seed(42)
    times = []
    acc = 0.0
    steps = (len(ytr) + batch - 1) // batch
    for epoch in range(epochs):
        t = time.perf_counter()
        net.train()
        perm = torch.randperm(len(ytr), generator=gen)
        for b in range(0, len(ytr), batch):
            # The worker's default schedule for the CNN: cosine decay from 2e-3 to 0 over the steps.
            for group in opt.param_groups:
                group["lr"] = 2e-3 * 0.5 * (1 + math.cos(math.pi * (epoch + b // batch / steps) / epochs))
            i = perm[b:b + batch]
            opt.zero_grad()
            loss = F.cross_entropy(net(xtr[i]), ytr[i])
            loss.backward()
            opt.step()
            loss.item()
        times.append(time.perf_counter() - t)
        net.eval()
        with torch.no_grad():
            pred = torch.cat([net(xte[b:b + 1000]).argmax(1) for b in range(0, len(yte), 1000)])
        acc = (pred == yte).float().mean().item()
        print(f"python epoch {len(times)}: {times[-1]:.1f} s, test accuracy {acc:.4f}", file=sys.stderr, flush=True)
    print(json.dumps({"epoch_s": times, "accuracy": acc}))


if __name__ == "__main__":
    main()
