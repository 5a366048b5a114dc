#include "runners/optimizers.h"

#include "runners/graph_module.h"
#include "runners/number_text.h"

#include <cmath>

namespace tl::runners {
namespace {

using base::ErrorCode;

double orDefault(double value, double fallback)
{
    return value == 0 ? fallback : value;
}

std::string kindName(std::int64_t kind)
{
    switch (kind) {
    case proto::OPTIMIZER_SGD:
        return "SGD";
    case proto::OPTIMIZER_ADAM:
        return "Adam";
    case proto::OPTIMIZER_ADAMW:
        return "AdamW";
    case proto::OPTIMIZER_RMSPROP:
        return "RMSprop";
    default:
        return "an unknown optimizer (" + std::to_string(kind) + ")";
    }
}

std::string shapeText(torch::IntArrayRef sizes)
{
    std::string text = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        text += (i == 0 ? "" : ", ") + std::to_string(sizes[i]);
    }
    return text + "]";
}

// ", momentum 0.9": the settings that differ from doing nothing, for describeOptimizer().
std::string detailsText(const OptimizerSettings &settings)
{
    std::string text;
    const auto add = [&text](const std::string &part) {
        text += (text.empty() ? "" : ", ") + part;
    };
    const bool adam =
        settings.kind == proto::OPTIMIZER_ADAM || settings.kind == proto::OPTIMIZER_ADAMW;
    if (adam) {
        add("betas " + shortNumber(settings.beta1) + "/" + shortNumber(settings.beta2));
    }
    if (settings.kind == proto::OPTIMIZER_RMSPROP) {
        add("alpha " + shortNumber(settings.alpha));
    }
    if (!adam && settings.momentum != 0) {
        add("momentum " + shortNumber(settings.momentum));
    }
    if (settings.kind == proto::OPTIMIZER_SGD && settings.nesterov && settings.momentum != 0) {
        add("Nesterov");
    }
    if (settings.weightDecay != 0) {
        add("weight decay " + shortNumber(settings.weightDecay));
    }
    if (settings.kind != proto::OPTIMIZER_SGD && settings.eps != OptimizerSettings().eps) {
        add("eps " + shortNumber(settings.eps));
    }
    return text;
}

base::Error stateError(std::string message)
{
    return base::makeError(ErrorCode::InvalidInput, std::move(message), "optimizer state");
}

std::int64_t readInt(torch::serialize::InputArchive &archive, const std::string &key)
{
    torch::Tensor value;
    archive.read(key, value);
    return value.item<std::int64_t>();
}

// The buffer `key` of `parameter` (index `index`), copied onto the parameter's device; a buffer
// the archive lacks (momentum switched on for the resumed run) starts at zero like a fresh one.
base::Status readBuffer(torch::serialize::InputArchive &archive,
                        const std::string &key,
                        std::size_t index,
                        const torch::Tensor &parameter,
                        torch::Tensor &buffer)
{
    torch::Tensor stored;
    buffer = torch::zeros_like(parameter, torch::MemoryFormat::Preserve);
    if (!archive.try_read(key, stored)) {
        return base::okStatus();
    }
    if (stored.sizes() != parameter.sizes()) {
        return stateError("The checkpoint's optimizer state does not fit this model: parameter "
                          + std::to_string(index) + " has shape " + shapeText(stored.sizes())
                          + " in the checkpoint, " + shapeText(parameter.sizes()) + " here.");
    }
    buffer.copy_(stored);
    return base::okStatus();
}

// Calls update(i, parameter, gradient) for each parameter that has a gradient, with `decay`
// times the parameter added to the gradient (coupled L2 weight decay; 0 = none).
template<typename Update>
void forEachGradient(std::vector<torch::Tensor> &parameters, double decay, Update update)
{
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        torch::Tensor &parameter = parameters[i];
        const torch::Tensor &grad = parameter.grad();
        if (grad.defined()) {
            update(i, parameter, decay != 0 ? grad.add(parameter, decay) : grad);
        }
    }
}

} // namespace

OptimizerSettings OptimizerSettings::of(const proto::TrainConfig &effective)
{
    OptimizerSettings settings;
    settings.kind = effective.optimizer() == proto::OPTIMIZER_UNSPECIFIED ? proto::OPTIMIZER_SGD
                                                                          : effective.optimizer();
    settings.learningRate = effective.learning_rate();
    settings.momentum = effective.momentum();
    settings.weightDecay = effective.weight_decay();
    settings.nesterov = effective.nesterov();
    settings.beta1 = orDefault(effective.beta1(), settings.beta1);
    settings.beta2 = orDefault(effective.beta2(), settings.beta2);
    settings.eps = orDefault(effective.eps(), settings.eps);
    settings.alpha = orDefault(effective.rmsprop_alpha(), settings.alpha);
    return settings;
}

std::string describeOptimizer(const OptimizerSettings &settings)
{
    const std::string details = detailsText(settings);
    const std::string name = kindName(
        settings.kind == proto::OPTIMIZER_UNSPECIFIED ? proto::OPTIMIZER_SGD : settings.kind);
    return details.empty() ? name : name + " (" + details + ")";
}

Optimizer::Optimizer(std::vector<torch::Tensor> parameters, OptimizerSettings settings)
    : m_settings(settings)
    , m_parameters(std::move(parameters))
{
    if (m_settings.kind == proto::OPTIMIZER_UNSPECIFIED) {
        m_settings.kind = proto::OPTIMIZER_SGD;
    }
    const torch::Device device =
        m_parameters.empty() ? torch::Device(torch::kCPU) : m_parameters.front().device();
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    m_rateTensor = torch::zeros({}, options);
    m_stepCount = torch::zeros({}, options);
    setLearningRate(m_settings.learningRate);
}

void Optimizer::setLearningRate(double rate)
{
    m_rate = rate;
    torch::NoGradGuard noGrad;
    m_rateTensor.fill_(rate);
}

bool Optimizer::usesFirst() const
{
    switch (m_settings.kind) {
    case proto::OPTIMIZER_ADAM:
    case proto::OPTIMIZER_ADAMW:
        return true;
    case proto::OPTIMIZER_RMSPROP:
        return m_settings.momentum > 0;
    default:
        return m_settings.momentum != 0;
    }
}

bool Optimizer::usesSecond() const
{
    return m_settings.kind != proto::OPTIMIZER_SGD;
}

void Optimizer::initState()
{
    torch::NoGradGuard noGrad;
    m_first.assign(m_parameters.size(), torch::Tensor());
    m_second.assign(m_parameters.size(), torch::Tensor());
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        if (usesFirst()) {
            m_first[i] = torch::zeros_like(m_parameters[i], torch::MemoryFormat::Preserve);
        }
        if (usesSecond()) {
            m_second[i] = torch::zeros_like(m_parameters[i], torch::MemoryFormat::Preserve);
        }
    }
    m_initialized = true;
}

void Optimizer::step()
{
    torch::NoGradGuard noGrad;
    if (!m_initialized) {
        initState();
    }
    m_stepCount.add_(1);
    switch (m_settings.kind) {
    case proto::OPTIMIZER_ADAM:
    case proto::OPTIMIZER_ADAMW:
        stepAdam();
        break;
    case proto::OPTIMIZER_RMSPROP:
        stepRmsprop();
        break;
    default:
        stepSgd();
        break;
    }
}

// torch.optim.SGD with dampening 0: a zero buffer makes the first step's buf = g exactly.
void Optimizer::stepSgd()
{
    const torch::Tensor negRate = m_rateTensor.neg();
    const double momentum = m_settings.momentum;
    const double decay = m_settings.weightDecay;
    forEachGradient(
        m_parameters, decay, [&](std::size_t i, torch::Tensor &parameter, torch::Tensor direction) {
            if (momentum != 0) {
                torch::Tensor &buffer = m_first[i];
                buffer.mul_(momentum).add_(direction);
                direction = m_settings.nesterov ? direction.add(buffer, momentum) : buffer;
            }
            parameter.addcmul_(direction, negRate);
        });
}

// torch.optim.Adam / AdamW (amsgrad off). The bias corrections 1 - beta^t are computed as
// -expm1(t ln beta): in float32, 1 - pow(0.999, t) keeps only ~4 digits for small t.
void Optimizer::stepAdam()
{
    const double beta1 = m_settings.beta1;
    const double beta2 = m_settings.beta2;
    const double decay = m_settings.weightDecay;
    const bool decoupled = m_settings.kind == proto::OPTIMIZER_ADAMW;
    const torch::Tensor correction1 = torch::expm1(m_stepCount * std::log(beta1)).neg_();
    const torch::Tensor correction2Root =
        torch::expm1(m_stepCount * std::log(beta2)).neg_().sqrt_();
    const torch::Tensor negStepSize = m_rateTensor.neg() / correction1;
    const torch::Tensor shrink = // AdamW: 1 - lr * wd
        decoupled ? m_rateTensor.mul(-decay).add_(1) : torch::Tensor();
    const double coupled = decoupled ? 0.0 : decay;
    forEachGradient(m_parameters, coupled,
                    [&](std::size_t i, torch::Tensor &parameter, const torch::Tensor &g) {
                        if (decoupled && decay != 0) {
                            parameter.mul_(shrink);
                        }
                        m_first[i].mul_(beta1).add_(g, 1 - beta1);
                        m_second[i].mul_(beta2).addcmul_(g, g, 1 - beta2);
                        const torch::Tensor denominator =
                            (m_second[i].sqrt() / correction2Root).add_(m_settings.eps);
                        parameter.addcmul_(m_first[i] / denominator, negStepSize);
                    });
}

// torch.optim.RMSprop, not centered.
void Optimizer::stepRmsprop()
{
    const torch::Tensor negRate = m_rateTensor.neg();
    const double alpha = m_settings.alpha;
    const double momentum = m_settings.momentum;
    const double decay = m_settings.weightDecay;
    forEachGradient(m_parameters, decay,
                    [&](std::size_t i, torch::Tensor &parameter, const torch::Tensor &g) {
                        m_second[i].mul_(alpha).addcmul_(g, g, 1 - alpha);
                        const torch::Tensor average = m_second[i].sqrt().add_(m_settings.eps);
                        if (momentum > 0) {
                            m_first[i].mul_(momentum).addcdiv_(g, average);
                            parameter.addcmul_(m_first[i], negRate);
                        } else {
                            parameter.addcmul_(g / average, negRate);
                        }
                    });
}

void Optimizer::clearGradients()
{
    for (torch::Tensor &parameter : m_parameters) {
        parameter.mutable_grad().reset();
    }
}

void Optimizer::save(torch::serialize::OutputArchive &archive) const
{
    torch::NoGradGuard noGrad;
    archive.write("kind", torch::tensor(static_cast<std::int64_t>(m_settings.kind)));
    archive.write("count", torch::tensor(static_cast<std::int64_t>(m_parameters.size())));
    archive.write("step", m_stepCount.cpu());
    archive.write("rate", torch::tensor(m_rate, torch::kFloat64));
    // Buffers not yet allocated are zeros: the state a fresh optimizer steps from.
    const auto buffer = [this](const std::vector<torch::Tensor> &buffers, std::size_t i) {
        return m_initialized ? buffers[i].cpu() : torch::zeros_like(m_parameters[i]).cpu();
    };
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        if (usesFirst()) {
            archive.write("first." + std::to_string(i), buffer(m_first, i));
        }
        if (usesSecond()) {
            archive.write("second." + std::to_string(i), buffer(m_second, i));
        }
    }
}

base::Status Optimizer::load(torch::serialize::InputArchive &archive)
{
    try {
        return loadState(archive);
    } catch (const std::exception &error) {
        return stateError(
            "The checkpoint's optimizer state cannot be read: " + torchErrorText(error) + ".");
    }
}

// Reads everything before changing anything, so a failed load leaves this optimizer as it was.
base::Status Optimizer::loadState(torch::serialize::InputArchive &archive)
{
    torch::NoGradGuard noGrad;
    const std::int64_t kind = readInt(archive, "kind");
    if (kind != m_settings.kind) {
        return stateError("The checkpoint's optimizer is " + kindName(kind) + ", this run uses "
                          + kindName(m_settings.kind) + ".");
    }
    const std::int64_t count = readInt(archive, "count");
    if (count != static_cast<std::int64_t>(m_parameters.size())) {
        return stateError("The checkpoint's optimizer state covers " + std::to_string(count)
                          + " parameters, this model has " + std::to_string(m_parameters.size())
                          + ".");
    }
    std::vector<torch::Tensor> first(m_parameters.size());
    std::vector<torch::Tensor> second(m_parameters.size());
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const std::string index = std::to_string(i);
        if (usesFirst()) {
            if (auto status = readBuffer(archive, "first." + index, i, m_parameters[i], first[i]);
                !status) {
                return status;
            }
        }
        if (usesSecond()) {
            if (auto status = readBuffer(archive, "second." + index, i, m_parameters[i], second[i]);
                !status) {
                return status;
            }
        }
    }
    torch::Tensor step;
    torch::Tensor rate;
    archive.read("step", step);
    archive.read("rate", rate);
    m_first = std::move(first);
    m_second = std::move(second);
    m_stepCount.copy_(step.reshape({}));
    setLearningRate(rate.item<double>());
    m_initialized = true;
    return base::okStatus();
}

torch::Tensor clipGradientNorm(const std::vector<torch::Tensor> &parameters, double maxNorm)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> grads;
    std::vector<torch::Tensor> norms;
    for (const torch::Tensor &parameter : parameters) {
        if (parameter.grad().defined()) {
            grads.push_back(parameter.grad());
            norms.push_back(at::linalg_vector_norm(parameter.grad()));
        }
    }
    if (grads.empty()) {
        const torch::Device device =
            parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
        return torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32).device(device));
    }
    torch::Tensor total = at::linalg_vector_norm(torch::stack(norms));
    const torch::Tensor coefficient = (maxNorm / (total + 1e-6)).clamp_max_(1.0);
    for (torch::Tensor &grad : grads) {
        grad.mul_(coefficient);
    }
    return total;
}

} // namespace tl::runners
