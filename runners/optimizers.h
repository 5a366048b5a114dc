#pragma once
// The optimizers of TrainConfig (SGD, Adam, AdamW, RMSprop) with PyTorch's update rules, written
// for the training loop's fast path: the learning rate and Adam's step count live in device
// scalars, every buffer is allocated by initState(), and step() neither reads anything back to
// the host nor allocates persistent memory, so one step can be captured in a CUDA graph and
// replayed while a schedule moves the rate. Private to runners/ (includes libtorch); one thread.

#include "base/result.h"
#include "proto/torchlight.pb.h"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tl::runners {

// The numbers of one optimizer, from an effective TrainConfig (defaults applied).
struct OptimizerSettings
{
    proto::Optimizer kind = proto::OPTIMIZER_SGD;
    double learningRate = 0.01;
    double momentum = 0;    // SGD, RMSprop
    double weightDecay = 0; // SGD, Adam, RMSprop: added to the gradient; AdamW: decoupled
    bool nesterov = false;  // SGD
    double beta1 = 0.9;     // Adam(W)
    double beta2 = 0.999;   // Adam(W)
    double eps = 1e-8;      // Adam(W), RMSprop
    double alpha = 0.99;    // RMSprop

    static OptimizerSettings of(const proto::TrainConfig &effective);
};

// "SGD (momentum 0.9, Nesterov)", "AdamW (betas 0.9/0.999, weight decay 0.01)": for the log.
std::string describeOptimizer(const OptimizerSettings &settings);

class Optimizer
{
public:
    // `parameters` are the model's, already on `device`.
    Optimizer(std::vector<torch::Tensor> parameters, OptimizerSettings settings);

    // The rate of the steps that follow: a fill of a device scalar (a captured graph reads it).
    void setLearningRate(double rate);
    double learningRate() const { return m_rate; }

    // One update from each parameter's grad(). A parameter whose grad() is undefined is left
    // alone. Allocates its state on the first call; later calls are capture-safe.
    void step();

    // Sets every gradient to undefined (PyTorch's zero_grad(set_to_none=True)).
    void clearGradients();

    const std::vector<torch::Tensor> &parameters() const { return m_parameters; }
    const OptimizerSettings &settings() const { return m_settings; }

    // State (buffers, moments, step count) under `archive`; load() checks that the archive was
    // written by the same kind of optimizer over parameters of the same shapes, and says which
    // differs otherwise; a buffer the archive lacks (momentum turned on for the resumed run)
    // starts at zero. Tensors are written on the CPU, so a CUDA run's state loads anywhere.
    void save(torch::serialize::OutputArchive &archive) const;
    base::Status load(torch::serialize::InputArchive &archive);

private:
    void initState();
    bool usesFirst() const;  // a momentum buffer or Adam's first moment
    bool usesSecond() const; // Adam's second moment or RMSprop's square average
    void stepSgd();
    void stepAdam();
    void stepRmsprop();
    base::Status loadState(torch::serialize::InputArchive &archive);

    OptimizerSettings m_settings;
    std::vector<torch::Tensor> m_parameters;
    std::vector<torch::Tensor> m_first;  // SGD/RMSprop momentum buffer, Adam exp_avg
    std::vector<torch::Tensor> m_second; // Adam exp_avg_sq, RMSprop square_avg
    torch::Tensor m_rateTensor;          // float32 scalar on the device
    torch::Tensor m_stepCount;           // float32 scalar on the device: steps taken
    double m_rate = 0;
    bool m_initialized = false;
};

// Scales the gradients so that their global L2 norm is at most maxNorm (torch's
// clip_grad_norm_), without reading the norm back: returns it as a device scalar.
torch::Tensor clipGradientNorm(const std::vector<torch::Tensor> &parameters, double maxNorm);

} // namespace tl::runners
