#pragma once

// Fused CPU kernels for the torch trainers. Each equals a chain of stock torch operations in value
// and gradient; it does the chain in one pass over memory each way and keeps a byte per element
// for the backward pass instead of the chain's float and int64 intermediates.
#include <torch/torch.h>

namespace cairn::plugins::fused {

/// dropout(max_pool2d(relu(x), 2), p), with dropout only when training. x: N×C×H×W floats.
/// ReLU and max-pooling commute (both are monotone), so the ReLU runs on the pooled quarter.
torch::Tensor reluMaxPool2Dropout(const torch::Tensor &x, double p, bool training);

/// dropout(relu(x), p), with dropout only when training.
torch::Tensor reluDropout(const torch::Tensor &x, double p, bool training);

/// Intra-op threads: torch's OpenMP pool does the parallel work and OpenBLAS runs in the calling
/// thread. With OpenBLAS's own pool the two pools fight over the same cores (OpenMP's idle
/// threads spin), which made each CNN training step about 30 % slower. Denormals are flushed
/// to zero on all of these threads.
void setThreads(int threads);

/// Adam (as torch::optim::Adam, same options and state) whose step is one pass over each
/// parameter, split across the intra-op threads, instead of six tensor operations.
class FusedAdam : public torch::optim::Adam
{
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Drops the gradients instead of zeroing them: the next backward pass then stores its gradient
/// instead of adding it to a tensor of zeros.
void clearGradients(torch::optim::Optimizer &optimizer);

} // namespace cairn::plugins::fused
