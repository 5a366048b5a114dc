#pragma once
// Helpers for the ONNX tests: small onnx::ModelProto graphs built with libonnx's own classes,
// so each test shows exactly the model it feeds the importer, and a private temporary folder.

#include <catch2/catch.hpp>

#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

namespace tl::model::test {

namespace fs = std::filesystem;

// A fresh folder removed again at the end of the test; the process id keeps parallel ctest
// runs apart.
class OnnxTempDir
{
public:
    explicit OnnxTempDir(const std::string &name)
        : m_path(fs::temp_directory_path() / "tl_test_model"
                 / (name + "-" + std::to_string(::getpid())))
    {
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~OnnxTempDir()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    OnnxTempDir(const OnnxTempDir &) = delete;
    OnnxTempDir &operator=(const OnnxTempDir &) = delete;

    fs::path operator/(const std::string &name) const { return m_path / name; }

private:
    fs::path m_path;
};

inline void writeFile(const fs::path &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}

inline std::string readFile(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

inline bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

// A float tensor type with the given dims; -1 becomes the symbolic dimension "batch".
inline void setTensorType(onnx::ValueInfoProto &value,
                          std::initializer_list<std::int64_t> dims,
                          std::int32_t elemType = onnx::TensorProto::FLOAT)
{
    auto *tensor = value.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elemType);
    auto *shape = tensor->mutable_shape();
    for (std::int64_t dim : dims) {
        if (dim < 0) {
            shape->add_dim()->set_dim_param("batch");
        } else {
            shape->add_dim()->set_dim_value(dim);
        }
    }
}

inline void
addInts(onnx::NodeProto &node, const std::string &name, const std::vector<std::int64_t> &ints)
{
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t value : ints) {
        attr->add_ints(value);
    }
}

inline void addInt(onnx::NodeProto &node, const std::string &name, std::int64_t value)
{
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::INT);
    attr->set_i(value);
}

inline void addFloat(onnx::NodeProto &node, const std::string &name, float value)
{
    onnx::AttributeProto *attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto::FLOAT);
    attr->set_f(value);
}

// An ONNX model assembled part by part: opset 17 of the default domain and IR version 8 unless
// a test changes them through proto().
class OnnxBuilder
{
public:
    explicit OnnxBuilder(const std::string &graphName = "test_graph")
    {
        m_model.set_ir_version(8);
        m_model.set_producer_name("tests");
        m_model.set_producer_version("1.0");
        opset("", 17);
        m_model.mutable_graph()->set_name(graphName);
    }

    OnnxBuilder &opset(const std::string &domain, std::int64_t version)
    {
        auto *entry = m_model.add_opset_import();
        entry->set_domain(domain);
        entry->set_version(version);
        return *this;
    }

    OnnxBuilder &input(const std::string &name,
                       std::initializer_list<std::int64_t> dims,
                       std::int32_t elemType = onnx::TensorProto::FLOAT)
    {
        auto *value = graph().add_input();
        value->set_name(name);
        setTensorType(*value, dims, elemType);
        return *this;
    }

    OnnxBuilder &output(const std::string &name, std::initializer_list<std::int64_t> dims)
    {
        auto *value = graph().add_output();
        value->set_name(name);
        setTensorType(*value, dims);
        return *this;
    }

    onnx::NodeProto &node(const std::string &op,
                          std::initializer_list<std::string> inputs,
                          std::initializer_list<std::string> outputs,
                          const std::string &name = "",
                          const std::string &domain = "")
    {
        onnx::NodeProto *node = graph().add_node();
        node->set_op_type(op);
        node->set_name(name);
        node->set_domain(domain);
        for (const std::string &in : inputs) {
            node->add_input(in);
        }
        for (const std::string &out : outputs) {
            node->add_output(out);
        }
        return *node;
    }

    // A float32 initializer whose values go into float_data.
    onnx::TensorProto &initializer(const std::string &name,
                                   std::initializer_list<std::int64_t> dims,
                                   const std::vector<float> &values)
    {
        onnx::TensorProto *tensor = graph().add_initializer();
        tensor->set_name(name);
        tensor->set_data_type(onnx::TensorProto::FLOAT);
        for (std::int64_t dim : dims) {
            tensor->add_dims(dim);
        }
        for (float value : values) {
            tensor->add_float_data(value);
        }
        return *tensor;
    }

    onnx::GraphProto &graph() { return *m_model.mutable_graph(); }
    onnx::ModelProto &proto() { return m_model; }
    std::string bytes() const { return m_model.SerializeAsString(); }

private:
    onnx::ModelProto m_model;
};

// n values 0.01 * (i % 97) - 0.3: deterministic, varied, exactly representable enough.
inline std::vector<float> rampValues(std::size_t count, int offset = 0)
{
    std::vector<float> values(count);
    for (std::size_t i = 0; i < count; ++i) {
        values[i] = 0.01f * static_cast<float>((i + static_cast<std::size_t>(offset)) % 97) - 0.3f;
    }
    return values;
}

// x [batch, 4] -> Gemm (W [3, 4], B [3], transB) -> Relu -> y [batch, 3]: the smallest model
// with weights that the checker and shape inference accept.
inline OnnxBuilder tinyGemmModel()
{
    OnnxBuilder model("tiny");
    model.input("x", {-1, 4}).output("y", {-1, 3});
    model.initializer("W", {3, 4}, rampValues(12));
    model.initializer("B", {3}, rampValues(3, 5));
    addInt(model.node("Gemm", {"x", "W", "B"}, {"h"}, "/fc/Gemm"), "transB", 1);
    model.node("Relu", {"h"}, {"y"}, "/act/Relu");
    return model;
}

} // namespace tl::model::test
