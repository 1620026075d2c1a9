#!/usr/bin/env python3
"""PyTorch CPU reference timings for the steps samlab's native backend is compared with.

Times SGD and SAM training steps at batch 128 of the same two models as bench/steps.ts:
the MLP 3072-512-512-10 (ReLU), the small CNN (3x3 'same' convs 32/64/128, each + ReLU
+ 2x2 max-pool, dense 2048-256 ReLU, head 256-10) and ResNet-18 in its CIFAR form (batch norm). SGD: lr 0.01, momentum 0.9, weight
decay 5e-4. SAM: rho 0.05, two forward/backward passes per step. Prints one JSON object.

Benchmark only, never a dependency. Needs Debian's python3-torch
(`apt-get install -y python3-torch libopenblas0-pthread`) and runs with /usr/bin/python3.
As in the reference runs (../shared/reference/pytorch-small-scale.md beside the repository): OPENBLAS_NUM_THREADS=1 (Debian's
OpenBLAS ignores torch's thread setting) and 2 torch threads.

    /usr/bin/python3 bench/torch_bench.py [--steps 20] [--batch 128] [--threads 2] [--device cuda]

Each step ends with loss.item(), which waits for the GPU: step times on cuda are complete.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--methods", default="sgd,sam")
    parser.add_argument("--rho", type=float, default=0.05)
    parser.add_argument("--prewarm", type=int, default=40, help="untimed MLP steps before the first case")
    parser.add_argument("--min-seconds", type=float, default=0, help="time steps past --steps until they add up to this many seconds")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU check (fp32: TF32 off, no AMP)")
    args = parser.parse_args()

    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(json.dumps({"error": f"torch is not installed ({e}); apt-get install -y python3-torch libopenblas0-pthread"}))
        return 1

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    # plain fp32 on a GPU too, as samlab's webgpu backend computes
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    class BasicBlock(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = torch.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return torch.relu(out + self.shortcut(x))

    def resnet18() -> nn.Module:
        # The CIFAR form, as core-tensor's resnet18: 3x3 stride-1 stem, no max-pool, 4 stages of 2 blocks.
        layers: list = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
        cin = 64
        for s, cout in enumerate((64, 128, 256, 512)):
            for b in range(2):
                layers.append(BasicBlock(cin, cout, 2 if b == 0 and s > 0 else 1))
                cin = cout
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
        return nn.Sequential(*layers)

    def make_model(name: str) -> nn.Module:
        return make_model_on_cpu(name).to(device)

    def make_model_on_cpu(name: str) -> nn.Module:
        if name == "resnet18":
            return resnet18()
        if name == "mlp":
            return nn.Sequential(nn.Flatten(), nn.Linear(3072, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        layers: list = []
        cin = 3
        for cout in (32, 64, 128):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            cin = cout
        layers += [nn.Flatten(), nn.Linear(2048, 256), nn.ReLU(), nn.Linear(256, 10)]
        return nn.Sequential(*layers)

    def make_batch(name: str):
        shape = (args.batch, 3072) if name == "mlp" else (args.batch, 3, 32, 32)
        return torch.randn(*shape, device=device), torch.randint(0, 10, (args.batch,), device=device)

    loss_fn = nn.CrossEntropyLoss()

    def sgd_step(model, opt, x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def sam_step(model, opt, x, y):
        params = [p for p in model.parameters()]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        with torch.no_grad():
            norm = torch.norm(torch.stack([p.grad.norm(2) for p in params]), 2)
            scale = args.rho / (norm + 1e-12)
            eps = [p.grad * scale for p in params]
            for p, e in zip(params, eps):
                p.add_(e)
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        with torch.no_grad():
            for p, e in zip(params, eps):
                p.sub_(e)
        opt.step()
        return loss.item()

    # The first few dozen steps of a fresh process run slow (allocator and OpenMP pool
    # warm-up): burn them on a throwaway model so the first timed case is not penalised.
    warm = make_model("mlp")
    warm_opt = torch.optim.SGD(warm.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    wx, wy = make_batch("mlp")
    for _ in range(args.prewarm):
        sgd_step(warm, warm_opt, wx, wy)

    results = []
    for model_name in args.models.split(","):
        for method in args.methods.split(","):
            model = make_model(model_name)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
            x, y = make_batch(model_name)
            step = sgd_step if method == "sgd" else sam_step
            # ResNet-18 steps take seconds on a CPU: fewer of them
            heavy = model_name == "resnet18" and device.type == "cpu"
            for _ in range(1 if heavy else args.warmup):
                step(model, opt, x, y)
            times = []
            steps = min(args.steps, 3) if heavy else args.steps
            while len(times) < steps or sum(times) < 1000 * args.min_seconds:
                t0 = time.perf_counter()
                step(model, opt, x, y)
                times.append((time.perf_counter() - t0) * 1000)
            median = statistics.median(times)
            results.append(
                {
                    "model": model_name,
                    "method": method,
                    "batch": args.batch,
                    "steps": len(times),
                    "medianMs": round(median, 2),
                    "minMs": round(min(times), 2),
                    "examplesPerSec": round(args.batch * 1000 / median),
                }
            )
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
                "device": torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu",
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
