using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Act = Optimizer.Runtime.Compiled.Kernels.EpilogueActivation;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The elementwise chains PaddleOCR's PP-LCNet exports put after each convolution (a learnable affine,
/// HardSwish written out as Add 3 → Clip 0..6 → Mul x → Div 6, an affine after it; BatchNormalization;
/// per-channel scales), built node by node at odd sizes and compiled against ONNX Runtime (rtol 1e-3,
/// atol 1e-5: folding the affine into the weights reassociates the sums, and HardSwish near −3
/// subtracts nearly equal numbers). The fused program's steps are counted, and every variant that
/// must not fuse (other bounds or divisor, an inner value read elsewhere or a graph output, a
/// constant broadcast along another axis) still matches.
/// </summary>
public sealed class EpilogueFusionTests
{
    private const double Atol = 1e-5;

    [Theory]
    [InlineData(3, 5, 3, 1, 7, 9)]    // first layer: few input channels
    [InlineData(12, 12, 3, 12, 9, 11)] // depthwise
    [InlineData(17, 33, 1, 1, 5, 13)]  // pointwise, channels past a panel
    [InlineData(8, 16, 5, 8, 6, 6)]    // grouped 5×5
    public void Paddle_affine_hardswish_affine_chain_runs_in_the_conv_epilogue(int cin, int cout, int k, int group, int h, int w)
    {
        var g = new ChainGraph(cin, h, w);
        var y = g.Conv("x", cin, cout, k, group);
        y = g.Node("Add", g.Node("Mul", g.Scalar(2.5f), y), g.Scalar(0.75f));
        y = g.HardSwish(y);
        y = g.Node("Add", g.Node("Mul", g.Scalar(0.6f), y), g.Scalar(-0.2f));
        using var program = g.AssertSameAsOrt(y, cout);

        var step = Assert.Single(program.Steps);
        Assert.Equal(StepKind.Conv, step.Kind);
        Assert.Equal((long)Act.HardSwish, step.Ints[^1].Constant);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public void Hardswish_with_clip_bounds_as_attributes_or_inputs_fuses(int opset)
    {
        var g = new ChainGraph(4, 6, 7) { Opset = opset };
        var y = g.HardSwish(g.Node("Mul", g.Conv("x", 4, 6, 3, 1), g.Scalar(3f)));
        using var program = g.AssertSameAsOrt(y, 6);
        Assert.Equal(StepKind.Conv, Assert.Single(program.Steps).Kind);
    }

    [Fact]
    public void A_large_3x3_conv_reserves_its_blocks_not_its_im2col()
    {
        // 64 → 13 over 60 × 45 runs blocked (direct on AVX2): the padded copy and a block per worker, not the 6 MB im2col.
        var g = new ChainGraph(64, 60, 45);
        using var program = g.AssertSameAsOrt(g.HardSwish(g.Conv("x", 64, 13, 3, 1)), 13);
        var step = Assert.Single(program.Steps);
        var im2col = Runtime.Compiled.Kernels.PackedBLength(64 * 9, 60 * 45);
        Assert.Equal(Runtime.Compiled.Kernels.ConvScratchLength(64, 60, 45, 3, 3, 60, 45, 1, 1, 1, 1, 1, 1, 1), step.Operands[4].Length.Constant);
        Assert.True(step.Operands[4].Length.Constant < im2col / 2, $"scratch of {step.Operands[4].Length} floats");
        Assert.True(ProgramLayout.For(program, []).ArenaBytes < im2col * 4L, "the arena holds the im2col");
    }

    [Fact]
    public void Batchnorm_then_relu_folds_into_the_conv()
    {
        var g = new ChainGraph(5, 8, 9);
        var y = g.BatchNorm(g.Conv("x", 5, 7, 3, 1, bias: false), 7);
        using var program = g.AssertSameAsOrt(g.Node("Relu", y), 7);
        var step = Assert.Single(program.Steps);
        Assert.Equal((long)Act.Relu, step.Ints[^1].Constant);
    }

    [Fact]
    public void Per_channel_scale_and_bias_then_clip_fold_into_the_conv()
    {
        var g = new ChainGraph(6, 5, 7);
        var y = g.Conv("x", 6, 9, 3, 3);
        y = g.Node("Mul", y, g.Tensor([1, 9, 1, 1], seed: 31));
        y = g.Node("Sub", y, g.Tensor([9, 1, 1], seed: 32));
        y = g.Node("Div", y, g.Scalar(0.5f));
        using var program = g.AssertSameAsOrt(g.Clip(y, -0.5f, 0.75f), 9);
        Assert.Equal(StepKind.Conv, Assert.Single(program.Steps).Kind);
    }

    [Theory]
    [InlineData("HardSwish")]
    [InlineData("HardSigmoid")]
    public void Hardswish_op_and_x_times_hardsigmoid_fuse(string form)
    {
        var g = new ChainGraph(4, 7, 5) { Opset = 14 };
        var y = g.Node("Mul", g.Conv("x", 4, 8, 3, 1), g.Scalar(4f));
        y = form == "HardSwish" ? g.Node("HardSwish", y)
            : g.Node("Mul", y, g.Node("HardSigmoid", [y], OnnxAttribute.FromFloat("alpha", 1f / 6), OnnxAttribute.FromFloat("beta", 0.5f)));
        using var program = g.AssertSameAsOrt(y, 8);
        Assert.Equal(StepKind.Conv, Assert.Single(program.Steps).Kind);
    }

    [Fact]
    public void A_squeeze_excitation_gate_runs_in_its_conv()
    {
        // GlobalAveragePool → Conv → Relu → Conv → HardSigmoid(α 0.2) → Mul(x, gate), as PP-LCNet writes it.
        var g = new ChainGraph(10, 5, 7);
        var squeezed = g.Node("Relu", g.Conv(g.Node("GlobalAveragePool", "x"), 10, 3, 1, 1));
        var gate = g.Node("HardSigmoid", [g.Conv(squeezed, 3, 10, 1, 1)], OnnxAttribute.FromFloat("alpha", 0.2f), OnnxAttribute.FromFloat("beta", 0.5f));
        using var program = g.AssertSameAsOrt(g.Node("Mul", "x", gate), 10);
        // The 1×1 convs read a pooled 1×1 plane: dense convs, each one Gemm with its activation.
        Assert.Equal([StepKind.GlobalPool, StepKind.Gemm, StepKind.Gemm, StepKind.Binary], program.Steps.Select(s => s.Kind));
        Assert.Equal((long)Act.HardSigmoid, program.Steps[2].Ints[^1].Constant);
    }

    [Theory]
    [InlineData(0.2f, true)]
    [InlineData(0.2f, false)]
    [InlineData(1.5f, true)] // α > 1 is not max(x, αx): no fusion
    public void Leaky_relu_and_a_floor_run_in_the_conv(float alpha, bool floor)
    {
        // As the wake-word embedding (Keras) writes it: Conv → LeakyRelu → Maximum(·, −0.4).
        var g = new ChainGraph(3, 6, 5);
        var y = g.Node("LeakyRelu", [g.Node("Mul", g.Conv("x", 3, 9, 3, 1), g.Scalar(2f))], OnnxAttribute.FromFloat("alpha", alpha));
        using var program = g.AssertSameAsOrt(floor ? g.Node("Max", y, g.Scalar(-0.4f)) : y, 9);
        var conv = program.Steps.First(s => s.Kind == StepKind.Conv);
        Assert.Equal(alpha <= 1f ? (long)Act.LeakyRelu : (long)Act.None, conv.Ints[^1].Constant);
        Assert.Equal(alpha <= 1f ? 1 : floor ? 3 : 2, program.Steps.Count);
    }

    [Fact]
    public void A_chain_after_a_residual_add_runs_as_one_step()
    {
        var g = new ChainGraph(6, 7, 9);
        var sum = g.Node("Add", g.Conv("x", 6, 6, 1, 1), "x");
        var y = g.Node("Add", g.Node("Mul", sum, g.Tensor([6, 1, 1], seed: 40)), g.Scalar(0.3f));
        y = g.HardSwish(g.Node("Mul", y, g.Scalar(3f)));
        y = g.Node("Add", g.Node("Mul", y, g.Scalar(0.9f)), g.Scalar(0.1f));
        using var program = g.AssertSameAsOrt(y, 6);
        Assert.Equal([StepKind.Conv, StepKind.Binary, StepKind.AffineActivation], program.Steps.Select(s => s.Kind));
    }

    [Theory]
    [InlineData(0f, 5f, 6f)] // Clip bounds that are not HardSwish's
    [InlineData(0f, 6f, 5f)] // a divisor other than 6
    public void Hardswish_lookalikes_do_not_fuse_as_hardswish(float lo, float hi, float divisor)
    {
        var g = new ChainGraph(4, 6, 5);
        var y = g.Node("Mul", g.Conv("x", 4, 5, 3, 1), g.Scalar(3f));
        using var program = g.AssertSameAsOrt(g.HardSwish(y, lo, hi, divisor), 5);
        Assert.DoesNotContain(program.Steps, s => s.Ints.Count > 0 && s.Kind is StepKind.Conv or StepKind.AffineActivation && s.Ints[^1].Constant == (long)Act.HardSwish);
        Assert.Contains(program.Steps, s => s.Kind == StepKind.Binary); // the Mul by x
    }

    [Fact]
    public void A_conv_output_that_is_a_graph_output_is_written_as_is()
    {
        var g = new ChainGraph(3, 5, 6);
        var conv = g.Conv("x", 3, 4, 3, 1);
        var y = g.HardSwish(g.Node("Add", g.Node("Mul", conv, g.Scalar(2f)), g.Scalar(0.5f)));
        g.Output(conv, 4);
        using var program = g.AssertSameAsOrt(y, 4);
        var step = program.Steps.First(s => s.Kind == StepKind.Conv);
        Assert.Equal((long)Act.None, step.Ints[^1].Constant);
    }

    [Fact]
    public void An_inner_hardswish_value_read_elsewhere_keeps_it_apart()
    {
        var g = new ChainGraph(3, 5, 6);
        var y = g.Node("Mul", g.Conv("x", 3, 4, 3, 1), g.Scalar(3f));
        var plus3 = g.Node("Add", y, g.Scalar(3f));
        var clipped = g.Clip(plus3, 0f, 6f);
        var output = g.Node("Div", g.Node("Mul", y, clipped), g.Scalar(6f));
        g.Output(clipped, 4);
        using var program = g.AssertSameAsOrt(output, 4);
        Assert.DoesNotContain(program.Steps, s => s.Ints.Count > 0 && s.Ints[^1].Constant == (long)Act.HardSwish && s.Kind is StepKind.Conv or StepKind.AffineActivation);
    }

    [Fact]
    public void A_constant_broadcast_along_width_is_not_taken_for_per_channel()
    {
        // Shape [5] broadcasts along the last axis, which has as many elements as there are channels.
        var g = new ChainGraph(3, 4, 5);
        var y = g.Node("Mul", g.Conv("x", 3, 5, 3, 1), g.Tensor([5], seed: 50));
        using var program = g.AssertSameAsOrt(g.Node("Relu", y), 5);
        Assert.Contains(program.Steps, s => s.Kind == StepKind.Binary);
    }

    /// <summary>
    /// PaddleOCR's direction classifier (real, ../shared/data): Conv → BatchNormalization → HardSwish
    /// written out or Relu throughout. Every BatchNormalization, HardSwish and Relu goes into its
    /// convolution, the SE blocks' HardSigmoid gates too: 239 steps before (140 Binary, 33 Unary);
    /// left are the gates' products and the residual Adds. The output still matches ONNX Runtime.
    /// </summary>
    [ConditionalFact("data")]
    public void Ocr_direction_classifier_runs_its_chains_in_the_convolutions()
    {
        var model = SharedModels.Load("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        using var program = ProgramRunner.Compile(model);
        var inputs = SharedModels.SyntheticInputs(FixedShapes.Bind(model.Clone(), new Dictionary<string, long> { ["p2o.DynamicDimension.1"] = 48, ["p2o.DynamicDimension.2"] = 192 }), 2);
        var expected = SharedModels.RunOrt(model, inputs)[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, inputs.Select(i => OnnxTensor.FromFloats(i.Name, i.Shape, i.Values)).ToArray())[0]);
        Assert.Null(Tolerance.Compare(expected, actual, 1e-3, 1e-4));

        var kinds = program.Steps.Select(s => s.Kind).ToList();
        // Every conv is one step with its chain: the squeeze-excite blocks' 18 on pooled 1×1 planes as Gemm (dense convs).
        Assert.Equal(35, kinds.Count(k => k == StepKind.Conv));
        Assert.Equal(18 + 1, kinds.Count(k => k == StepKind.Gemm));
        Assert.True(kinds.Count(k => k == StepKind.Binary) <= 16, $"{kinds.Count(k => k == StepKind.Binary)} Binary steps");
        Assert.DoesNotContain(StepKind.Unary, kinds);
        Assert.True(kinds.Count < 90, $"{kinds.Count} steps");
    }

    /// <summary>A graph under construction: input x [1, c, h, w], Conv weights and constants from seeded values.</summary>
    private sealed class ChainGraph(int channels, int height, int width)
    {
        private readonly OnnxGraph _graph = new("chain");
        private int _next;

        public int Opset { get; init; } = 13;

        public string Conv(string x, int cin, int cout, int k, int group, bool bias = true)
        {
            var weights = Tensor([cout, cin / group, k, k], seed: ++_next);
            List<string> inputs = bias ? [x, weights, Tensor([cout], seed: ++_next)] : [x, weights];
            return Node("Conv", inputs.ToArray(), OnnxAttribute.FromInt("group", group), OnnxAttribute.FromInts("pads", [k / 2, k / 2, k / 2, k / 2]),
                OnnxAttribute.FromInts("kernel_shape", [k, k]));
        }

        public string Node(string op, params string[] inputs) => Node(op, inputs, []);

        public string Node(string op, string[] inputs, params OnnxAttribute[] attributes)
        {
            var output = $"{op.ToLowerInvariant()}_{++_next}";
            var node = new OnnxNode(op, inputs, [output], output);
            foreach (var a in attributes)
            {
                node.Attributes.Add(a);
            }

            _graph.Nodes.Add(node);
            return output;
        }

        /// <summary>A float [1] as a Constant node, as Paddle writes its scalars.</summary>
        public string Scalar(float value)
        {
            var name = $"c_{++_next}";
            _graph.Nodes.Add(new OnnxNode("Constant", [], [name], name) { Attributes = { OnnxAttribute.FromTensor("value", OnnxTensor.FromFloats(name, [1], [value])) } });
            return name;
        }

        public string Tensor(long[] shape, int seed, Func<float, float>? map = null)
        {
            var name = $"t_{++_next}";
            var values = SmallModels.Values((int)shape.Aggregate(1L, (a, b) => a * b), seed).Select(map ?? (v => v)).ToArray();
            _graph.Initializers.Add(OnnxTensor.FromFloats(name, shape, values));
            return name;
        }

        public string Clip(string x, float lo, float hi) => Opset < 11
            ? Node("Clip", [x], OnnxAttribute.FromFloat("min", lo), OnnxAttribute.FromFloat("max", hi))
            : Node("Clip", x, Scalar(lo), Scalar(hi));

        /// <summary>Add 3 → Clip(lo, hi) → Mul x → Div divisor, as paddle2onnx writes HardSwish (lo 0, hi 6, divisor 6).</summary>
        public string HardSwish(string x, float lo = 0f, float hi = 6f, float divisor = 6f) =>
            Node("Div", Node("Mul", x, Clip(Node("Add", x, Scalar(3f)), lo, hi)), Scalar(divisor));

        public string BatchNorm(string x, int c) => Node("BatchNormalization",
            [x, Tensor([c], 60), Tensor([c], 61), Tensor([c], 62), Tensor([c], 63, v => MathF.Abs(v) + 0.1f)], OnnxAttribute.FromFloat("epsilon", 1e-3f));

        public void Output(string name, int c) => _graph.Outputs.Add(SmallModels.Tensor(name, Dim.Fixed(1), Dim.Fixed(c), Dim.Fixed(height), Dim.Fixed(width)));

        public KernelProgram AssertSameAsOrt(string output, int c)
        {
            _graph.Outputs.Insert(0, SmallModels.Tensor(output, Dim.Fixed(1), Dim.Fixed(c), Dim.Fixed(height), Dim.Fixed(width)));
            _graph.DeclaredInputs.Add(SmallModels.Tensor("x", Dim.Fixed(1), Dim.Fixed(channels), Dim.Fixed(height), Dim.Fixed(width)));
            var model = new OnnxModel(_graph, [new OpsetImport("", Opset)]) { IrVersion = 7 };
            var input = SmallModels.Values(channels * height * width, seed: 99).Select(v => 2 * v).ToArray();
            return OrtComparison.AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [1, channels, height, width], input)], Atol);
        }

    }
}
