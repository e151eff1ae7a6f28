using Optimizer.Onnx;

namespace Optimizer.Engine.Tests;

/// <summary>
/// MLP 784-1024-1024-10 (Gemm+Relu ×2, Gemm; weights [out,in] with transB=1, seeded He-normal), the
/// model tests/Optimizer.Benchmarks measures: big enough that INT8 weights make it clearly faster.
/// </summary>
internal static class LargeMlp
{
    public static OnnxModel Build(int seed = 1234)
    {
        var random = new Random(seed);
        var graph = new OnnxGraph("mlp_784_1024_1024_10");
        graph.DeclaredInputs.Add(new ValueInfo("input", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), Dim.Fixed(784)])));
        graph.Outputs.Add(new ValueInfo("logits", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), Dim.Fixed(10)])));
        var x = Gemm(graph, random, "input", 784, 1024, "fc1", "fc1_out");
        x = Relu(graph, x, "relu1");
        x = Gemm(graph, random, x, 1024, 1024, "fc2", "fc2_out");
        x = Relu(graph, x, "relu2");
        Gemm(graph, random, x, 1024, 10, "fc3", "logits");
        return new OnnxModel(graph, [new OpsetImport("", 13)], irVersion: 8) { ProducerName = "Optimizer.Engine.Tests" };
    }

    private static string Relu(OnnxGraph graph, string x, string name)
    {
        graph.Nodes.Add(new OnnxNode("Relu", [x], [name + "_out"], name));
        return name + "_out";
    }

    private static string Gemm(OnnxGraph graph, Random random, string x, int inputs, int outputs, string name, string output)
    {
        var std = Math.Sqrt(2.0 / inputs);
        var weights = new float[outputs * inputs];
        for (var i = 0; i < weights.Length; i++)
            weights[i] = (float)(std * Gaussian(random));
        var bias = new float[outputs];
        for (var i = 0; i < bias.Length; i++)
            bias[i] = (float)(0.01 * Gaussian(random));
        graph.Initializers.Add(OnnxTensor.FromFloats(name + ".weight", [outputs, inputs], weights));
        graph.Initializers.Add(OnnxTensor.FromFloats(name + ".bias", [outputs], bias));
        var node = new OnnxNode("Gemm", [x, name + ".weight", name + ".bias"], [output], name);
        node.Attributes.Add(OnnxAttribute.FromInt("transB", 1));
        graph.Nodes.Add(node);
        return output;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
