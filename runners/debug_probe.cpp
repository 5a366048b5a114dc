#include "runners/debug_probe.h"

#include "runners/control_channel.h"
#include "runners/event_sink.h"
#include "runners/number_text.h"
#include "runners/tensor_snapshot.h"

#include <algorithm>
#include <chrono>

namespace tl::runners {
namespace {

constexpr auto kStoppedPoll = std::chrono::milliseconds(100);

std::string gradientName(const std::string &name)
{
    return "grad " + name;
}

// "NaN and Inf in the gradient of fc2 (Linear): 3 NaN, 1 Inf of 640 values"
std::string nonfiniteMessage(const proto::TensorSnapshot &snapshot, const std::string &what)
{
    std::string kinds;
    if (snapshot.nan_count() > 0) {
        kinds = "NaN";
    }
    if (snapshot.inf_count() > 0) {
        kinds += kinds.empty() ? "Inf" : " and Inf";
    }
    return kinds + " in " + what + ": "
           + groupedDigits(static_cast<std::int64_t>(snapshot.nan_count())) + " NaN, "
           + groupedDigits(static_cast<std::int64_t>(snapshot.inf_count())) + " Inf of "
           + groupedDigits(static_cast<std::int64_t>(snapshot.count())) + " values";
}

} // namespace

DebugProbe::DebugProbe(EventSink &events,
                       ControlChannel &control,
                       torch::nn::Module &module,
                       std::vector<ForwardNode> nodes,
                       const proto::DebugSettings &settings,
                       OtherCommand other)
    : m_events(events)
    , m_control(control)
    , m_module(module)
    , m_nodes(std::move(nodes))
    , m_settings(settings)
    , m_other(std::move(other))
    , m_breakRequested(settings.break_at_start())
{
    m_nodes.push_back({"loss", "loss"});
}

bool DebugProbe::isArmed() const
{
    return !m_stopping
           && (m_breakRequested || m_stepping || m_settings.break_on_nonfinite()
               || m_settings.break_at_nodes_size() > 0);
}

void DebugProbe::apply(const proto::ControlCommand &command)
{
    switch (command.action()) {
    case proto::ControlCommand::ACTION_DEBUG_BREAK:
    case proto::ControlCommand::ACTION_DEBUG_STEP:
        m_breakRequested = true;
        break;
    case proto::ControlCommand::ACTION_DEBUG_SETTINGS:
        m_settings = command.debug();
        break;
    case proto::ControlCommand::ACTION_DEBUG_INSPECT:
        inspect(command.tensor()); // parameters stay inspectable between steps
        break;
    default:
        break;
    }
}

void DebugProbe::beginPass(std::int64_t step)
{
    m_step = step;
    m_held.clear();
    m_nonfiniteSeen = false;
}

void DebugProbe::nodeComputed(std::size_t index, const torch::Tensor &output)
{
    if (index + 1 >= m_nodes.size()) {
        return; // the module has more nodes than it declared: nothing to name them by
    }
    const std::string &name = m_nodes[index].name;
    hold(name, output);
    if (output.requires_grad()) {
        output.register_hook(
            [this, index](const torch::Tensor &gradient) { gradientComputed(index, gradient); });
    }
    consider(proto::DebugEvent::PHASE_FORWARD, index, name, output);
}

void DebugProbe::lossComputed(const torch::Tensor &loss, const std::string &kind)
{
    m_nodes.back().op = kind;
    hold("loss", loss);
    consider(proto::DebugEvent::PHASE_FORWARD, m_nodes.size() - 1, "loss", loss);
}

void DebugProbe::gradientComputed(std::size_t index, const torch::Tensor &gradient)
{
    const std::string name = gradientName(m_nodes[index].name);
    hold(name, gradient);
    consider(proto::DebugEvent::PHASE_BACKWARD, index, name, gradient);
}

void DebugProbe::passDone()
{
    if (m_stepping && !m_stopping) {
        stop(proto::DebugEvent::REASON_STEP, proto::DebugEvent::PHASE_BACKWARD, 0, {},
             "the backward pass is done: every parameter's gradient is ready");
    }
    m_held.clear();
}

void DebugProbe::consider(Phase phase,
                          std::size_t index,
                          const std::string &name,
                          const torch::Tensor &tensor)
{
    if (m_stopping) {
        return;
    }
    const ForwardNode &node = m_nodes[index];
    const std::string what =
        (phase == proto::DebugEvent::PHASE_FORWARD ? "the output of " : "the gradient of ")
        + node.name + " (" + node.op + ")";
    if (m_settings.break_on_nonfinite() && !m_nonfiniteSeen && hasNonFinite(tensor)) {
        m_nonfiniteSeen = true;
        proto::TensorSnapshot snapshot = snapshotOf(name, tensor);
        std::string message = nonfiniteMessage(snapshot, what);
        stop(proto::DebugEvent::REASON_NONFINITE, phase, index, std::move(snapshot),
             std::move(message));
    } else if (m_breakRequested && phase == proto::DebugEvent::PHASE_FORWARD) {
        m_breakRequested = false;
        stop(proto::DebugEvent::REASON_BREAK, phase, index, snapshotOf(name, tensor),
             "stopped at the start of step " + groupedDigits(m_step));
    } else if (m_stepping) {
        stop(proto::DebugEvent::REASON_STEP, phase, index, snapshotOf(name, tensor), what);
    } else if (phase == proto::DebugEvent::PHASE_FORWARD && breaksAt(node.name)) {
        stop(proto::DebugEvent::REASON_NODE, phase, index, snapshotOf(name, tensor),
             "breakpoint at " + node.name + " (" + node.op + ")");
    }
}

proto::RunEvent DebugProbe::eventAt(Reason reason) const
{
    proto::RunEvent event;
    proto::DebugEvent &debug = *event.mutable_debug();
    debug.set_reason(reason);
    debug.set_step(m_step);
    debug.set_phase(m_phase);
    debug.set_node_index(static_cast<std::uint32_t>(m_index));
    debug.set_node(m_nodes[m_index].name);
    debug.set_op(m_nodes[m_index].op);
    for (const ForwardNode &node : m_nodes) {
        debug.add_nodes(node.name);
    }
    for (std::string &name : inspectable()) {
        debug.add_tensors(std::move(name));
    }
    return event;
}

void DebugProbe::stop(Reason reason,
                      Phase phase,
                      std::size_t index,
                      proto::TensorSnapshot tensor,
                      std::string message)
{
    m_phase = phase;
    m_index = index;
    proto::RunEvent event = eventAt(reason);
    proto::DebugEvent &debug = *event.mutable_debug();
    if (!tensor.name().empty()) {
        *debug.mutable_tensor() = std::move(tensor);
    }
    debug.set_message(std::move(message));
    if (!m_inDebugger) {
        m_inDebugger = true;
        m_events.status(proto::RUN_STATE_PAUSED,
                        "stopped in the debugger at step " + groupedDigits(m_step) + ", "
                            + (phase == proto::DebugEvent::PHASE_FORWARD ? "forward" : "backward")
                            + " at " + m_nodes[index].name);
    }
    m_events.emit(std::move(event));
    while (true) {
        for (const proto::ControlCommand &command : m_control.waitFor(kStoppedPoll)) {
            if (handle(command)) {
                return;
            }
        }
    }
}

bool DebugProbe::handle(const proto::ControlCommand &command)
{
    switch (command.action()) {
    case proto::ControlCommand::ACTION_DEBUG_STEP:
        m_stepping = true;
        return true;
    case proto::ControlCommand::ACTION_DEBUG_CONTINUE:
    case proto::ControlCommand::ACTION_RESUME:
        m_stepping = false;
        leave("continued");
        return true;
    case proto::ControlCommand::ACTION_STOP:
        m_stepping = false;
        m_breakRequested = false;
        m_stopping = true;
        m_other(command);
        leave("stopping");
        return true;
    case proto::ControlCommand::ACTION_DEBUG_INSPECT:
        inspect(command.tensor());
        return false;
    case proto::ControlCommand::ACTION_DEBUG_SETTINGS:
        m_settings = command.debug();
        return false;
    case proto::ControlCommand::ACTION_CHECKPOINT:
        m_other(command); // written after this step
        return false;
    default:
        return false; // BREAK and PAUSE: already stopped
    }
}

void DebugProbe::inspect(const std::string &name)
{
    const torch::Tensor tensor = find(name);
    if (!tensor.defined()) {
        m_events.log(proto::LOG_LEVEL_WARNING,
                     "The debugger holds no tensor named '" + name + "' at step "
                         + groupedDigits(m_step) + "; it holds "
                         + std::to_string(inspectable().size()) + " (DebugEvent.tensors).");
        return;
    }
    proto::RunEvent event = eventAt(proto::DebugEvent::REASON_INSPECTED);
    *event.mutable_debug()->mutable_tensor() = snapshotOf(name, tensor);
    m_events.emit(std::move(event));
}

void DebugProbe::leave(const std::string &why)
{
    proto::RunEvent event = eventAt(proto::DebugEvent::REASON_LEFT);
    event.mutable_debug()->set_message(why);
    m_events.emit(std::move(event));
    if (m_inDebugger) {
        m_inDebugger = false;
        m_events.status(proto::RUN_STATE_RUNNING,
                        "left the debugger at step " + groupedDigits(m_step) + " (" + why + ")");
    }
}

void DebugProbe::hold(const std::string &name, const torch::Tensor &tensor)
{
    m_held.emplace_back(name, tensor.detach());
}

torch::Tensor DebugProbe::find(const std::string &name) const
{
    for (auto it = m_held.rbegin(); it != m_held.rend(); ++it) {
        if (it->first == name) {
            return it->second;
        }
    }
    const bool gradient = name.starts_with("grad ");
    const std::string parameter = gradient ? name.substr(5) : name;
    for (const auto &item : m_module.named_parameters()) {
        if (item.key() == parameter) {
            return gradient ? item.value().grad() : item.value().detach();
        }
    }
    return {};
}

std::vector<std::string> DebugProbe::inspectable() const
{
    std::vector<std::string> names;
    for (const auto &[name, tensor] : m_held) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            names.push_back(name);
        }
    }
    for (const auto &item : m_module.named_parameters()) {
        names.push_back(item.key());
        if (item.value().grad().defined()) {
            names.push_back(gradientName(item.key()));
        }
    }
    return names;
}

bool DebugProbe::breaksAt(const std::string &node) const
{
    return std::find(m_settings.break_at_nodes().begin(), m_settings.break_at_nodes().end(), node)
           != m_settings.break_at_nodes().end();
}

} // namespace tl::runners
