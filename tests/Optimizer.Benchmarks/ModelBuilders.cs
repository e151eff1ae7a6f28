using Optimizer.Onnx;

namespace Optimizer.Benchmarks;

/// <summary>
/// Builds realistic-size float32 models with the project's own IR and seeded He-initialised
/// random weights. The batch dimension is symbolic (<c>N</c>), so one model serves every batch.
/// </summary>
public static class ModelBuilders
{
    public const string InputName = "input";
    public const string OutputName = "logits";
    private const long Opset = 13;

    /// <summary>MLP 784-1024-1024-10: Gemm+Relu, Gemm+Relu, Gemm (weights [out,in], transB=1 as exporters write them).</summary>
    public static OnnxModel Mlp(int seed = 1234)
    {
        var b = new GraphBuilder("mlp_784_1024_1024_10", seed);
        b.Input(InputName, 784);
        var x = b.Gemm(InputName, 784, 1024, "fc1");
        x = b.Relu(x, "relu1");
        x = b.Gemm(x, 1024, 1024, "fc2");
        x = b.Relu(x, "relu2");
        x = b.Gemm(x, 1024, 10, "fc3", output: OutputName);
        b.Output(OutputName, 10);
        return b.Build();
    }

    /// <summary>
    /// Small ResNet-style CNN on [N,3,224,224], BatchNorm already folded into the convolutions:
    /// stem Conv7×7/2 (32) + Relu + MaxPool3×3/2 → 56×56; stage 1: two basic blocks at 32 channels;
    /// stage 2: a stride-2 block (1×1/2 projection shortcut) to 64 channels at 28×28 and one
    /// identity block; stage 3: the same to 128 channels at 14×14; GlobalAveragePool, Flatten,
    /// Gemm → 10. About 0.7 GFLOP (multiply-adds × 2) per image.
    /// </summary>
    public static OnnxModel ResNetCnn(int seed = 4321)
    {
        var b = new GraphBuilder("resnet_small_224", seed);
        b.Input(InputName, 3, 224, 224);
        var x = b.Conv(InputName, 3, 32, 7, 2, "stem_conv");
        x = b.Relu(x, "stem_relu");
        x = b.MaxPool(x, "stem_pool");
        var channels = 32;
        var stage = 1;
        foreach (var outChannels in new[] { 32, 64, 128 })
        {
            var stride = outChannels == channels ? 1 : 2;
            x = b.BasicBlock(x, channels, outChannels, stride, $"s{stage}b1");
            x = b.BasicBlock(x, outChannels, outChannels, 1, $"s{stage}b2");
            channels = outChannels;
            stage++;
        }

        x = b.Node("GlobalAveragePool", [x], "gap");
        x = b.Flatten(x, "flatten");
        b.Gemm(x, channels, 10, "fc", output: OutputName);
        b.Output(OutputName, 10);
        return b.Build();
    }

    /// <summary>Seeded uniform [0,1) values, e.g. image-like inputs and calibration samples.</summary>
    public static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        return values;
    }

    private sealed class GraphBuilder(string name, int seed)
    {
        private readonly OnnxGraph _graph = new(name);
        private readonly Random _random = new(seed);

        public void Input(string inputName, params long[] sampleDims) =>
            _graph.DeclaredInputs.Add(new ValueInfo(inputName, ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), .. sampleDims.Select(Dim.Fixed)])));

        public void Output(string outputName, params long[] sampleDims) =>
            _graph.Outputs.Add(new ValueInfo(outputName, ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("N"), .. sampleDims.Select(Dim.Fixed)])));

        public OnnxModel Build() =>
            new(_graph, [new OpsetImport("", Opset)], irVersion: 8) { ProducerName = "Optimizer.Benchmarks" };

        public string Node(string opType, string[] inputs, string nodeName, string? output = null, params OnnxAttribute[] attributes)
        {
            var node = new OnnxNode(opType, inputs, [output ?? nodeName + "_out"], nodeName);
            node.Attributes.AddRange(attributes);
            _graph.Nodes.Add(node);
            return node.Outputs[0];
        }

        public string Relu(string x, string nodeName) => Node("Relu", [x], nodeName);

        public string Flatten(string x, string nodeName) => Node("Flatten", [x], nodeName, null, OnnxAttribute.FromInt("axis", 1));

        public string MaxPool(string x, string nodeName) => Node("MaxPool", [x], nodeName, null,
            OnnxAttribute.FromInts("kernel_shape", [3, 3]), OnnxAttribute.FromInts("strides", [2, 2]), OnnxAttribute.FromInts("pads", [1, 1, 1, 1]));

        public string Gemm(string x, int inFeatures, int outFeatures, string nodeName, string? output = null)
        {
            var w = Weight(nodeName + ".weight", [outFeatures, inFeatures], inFeatures);
            var bias = Bias(nodeName + ".bias", outFeatures);
            return Node("Gemm", [x, w, bias], nodeName, output, OnnxAttribute.FromInt("transB", 1));
        }

        public string Conv(string x, int inChannels, int outChannels, int kernel, int stride, string nodeName)
        {
            var w = Weight(nodeName + ".weight", [outChannels, inChannels, kernel, kernel], inChannels * kernel * kernel);
            var bias = Bias(nodeName + ".bias", outChannels); // folded BatchNorm leaves a bias
            var pad = kernel / 2;
            return Node("Conv", [x, w, bias], nodeName, null,
                OnnxAttribute.FromInts("kernel_shape", [kernel, kernel]),
                OnnxAttribute.FromInts("strides", [stride, stride]),
                OnnxAttribute.FromInts("pads", [pad, pad, pad, pad]));
        }

        /// <summary>Conv3×3+Relu+Conv3×3, plus the shortcut (identity or 1×1 projection), Add, Relu.</summary>
        public string BasicBlock(string x, int inChannels, int outChannels, int stride, string prefix)
        {
            var y = Conv(x, inChannels, outChannels, 3, stride, prefix + "_conv1");
            y = Relu(y, prefix + "_relu1");
            y = Conv(y, outChannels, outChannels, 3, 1, prefix + "_conv2");
            var shortcut = stride == 1 && inChannels == outChannels ? x : Conv(x, inChannels, outChannels, 1, stride, prefix + "_proj");
            var sum = Node("Add", [y, shortcut], prefix + "_add");
            return Relu(sum, prefix + "_relu2");
        }

        /// <summary>He (Kaiming) normal initialisation: N(0, 2 / fan_in).</summary>
        private string Weight(string tensorName, long[] dims, int fanIn)
        {
            var count = dims.Aggregate(1L, (a, d) => a * d);
            var values = new float[count];
            var std = Math.Sqrt(2.0 / fanIn);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(std * Gaussian());
            }

            _graph.Initializers.Add(OnnxTensor.FromFloats(tensorName, dims, values));
            return tensorName;
        }

        private string Bias(string tensorName, int count)
        {
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(0.01 * Gaussian());
            }

            _graph.Initializers.Add(OnnxTensor.FromFloats(tensorName, [count], values));
            return tensorName;
        }

        private double Gaussian()
        {
            // Box–Muller; 1 - NextDouble() is in (0, 1], so the log is finite.
            var u1 = 1.0 - _random.NextDouble();
            var u2 = _random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
