using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// [AccuracyBudget] as a user meets it in a real `dotnet build` of the digits CNN: a budget that
/// holds (its figures printed), one that holds only after layers are put back to fp32 (a coded
/// warning naming them; on a copy of the CNN made sensitive to int8 on purpose, so it holds on every
/// CPU), and one that cannot hold (the build fails with OPT1060, nothing embedded).
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class AccuracyBudgetAppTests(PackedPackages packages, ITestOutputHelper output)
{
    [ConditionalFact("data")]
    public void Budgets_that_hold_pass_the_build_with_their_figures_and_reverted_layers()
    {
        var shared = RepositoryPaths.SharedData;
        using var app = DigitsApp(shared, "BudgetHoldsApp", """
            [OnnxModel("Models/digits_cnn.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32")]
            [AccuracyBudget(MaxDrop = 0.01, Validation = "Data/digits_test_x_450x64.f32", Labels = "Data/digits_test_y_450.u8")]
            public partial class Holds;

            // The sensitive copy loses most of its accuracy in int8 on every CPU: the budget makes the build keep its convolutions in fp32.
            [OnnxModel("Models/digits_cnn_sensitive.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32")]
            [AccuracyBudget(MaxDrop = 0.01, Validation = "Data/digits_test_x_450x64.f32", Labels = "Data/digits_test_y_450.u8")]
            public partial class HoldsAfterReverting;
            """);
        var sensitive = Path.Combine(app.Directory, "Models", "digits_cnn_sensitive.onnx");
        File.WriteAllBytes(sensitive, SensitiveCnn.From(File.ReadAllBytes(Path.Combine(shared, "models", "digits_cnn.onnx"))));

        var build = app.Build();
        output.WriteLine(build.Output);
        build.AssertSucceeded("dotnet build");

        Assert.Matches(@"digits_cnn\.onnx: quantize StaticInt8 → .* top-1 99\.3% → 99\.3% \(budget 1(\.0)?%\)", build.Output);
        var reverted = build.Output.Split('\n').First(line => line.Contains("warning OPT1061"));
        Assert.Contains("Program.cs", reverted);
        Assert.Contains("digits_cnn_sensitive.onnx", reverted);
        Assert.Matches(@"kept \d of 3 quantized layers in float32 to hold it \(/conv\d/Conv", reverted);
        Assert.Matches(@"digits_cnn_sensitive\.onnx: quantize StaticInt8 → .* top-1 99\.3% → 99\.\d% \(budget 1(\.0)?%\)", build.Output);
    }

    [ConditionalFact("data")]
    public void A_budget_that_cannot_hold_fails_the_build_with_OPT1060_and_embeds_nothing()
    {
        var shared = RepositoryPaths.SharedData;
        using var app = DigitsApp(shared, "BudgetFailsApp", """
            [OnnxModel("Models/digits_cnn.onnx")]
            [Prune(Sparsity = 0.8)]
            [AccuracyBudget(MaxDrop = 0.001, Validation = "Data/digits_test_x_450x64.f32", Labels = "Data/digits_test_y_450.u8")]
            public partial class TooMuch;
            """);

        var build = app.Build();
        output.WriteLine(build.Output);

        Assert.NotEqual(0, build.ExitCode);
        var error = build.Output.Split('\n').First(line => line.Contains("error OPT1060"));
        Assert.Matches(@"Program\.cs\(\d+,\d+\): error OPT1060: .*digits_cnn\.onnx", error);
        Assert.Contains("0.8", error); // says the declared sparsity was not lowered
        Assert.Empty(Directory.Exists(app.OptimizerOutputDirectory) ? Directory.GetFiles(app.OptimizerOutputDirectory, "*.onnx") : []);
    }

    // A console app with the digits CNN and data, the given model classes, and a Main that only builds.
    private TestApp DigitsApp(string shared, string name, string classes)
    {
        var app = new TestApp(packages, name);
        app.CopyFile(Path.Combine(shared, "models", "digits_cnn.onnx"), "Models/digits_cnn.onnx");
        foreach (var file in new[] { "digits_train_x_1347x64.f32", "digits_test_x_450x64.f32", "digits_test_y_450.u8" })
            app.CopyFile(Path.Combine(shared, "digits", file), Path.Combine("Data", file));
        app.WriteFile("Program.cs", "using Optimizer.Runtime;\n\nConsole.WriteLine(\"built\");\n\n" + classes + "\n");
        return app;
    }

    /// <summary>
    /// The digits CNN made sensitive to int8 on purpose: conv1's first output channel scaled up 1000 times and
    /// conv2's weights that read it scaled down as much. The float model computes the same function (ReLU and
    /// max pooling commute with a positive scale), but the activation between the convolutions spans 1000 times
    /// the range of its other channels, so one int8 scale for it rounds them to nearly zero on every CPU.
    /// Edits the float bytes of the three initializers in place (the same edit as the engine tests' on the
    /// ONNX object model, which this project does not reference): no length changes, so the rest of the file stays.
    /// </summary>
    private static class SensitiveCnn
    {
        private const float Factor = 1000;

        public static byte[] From(byte[] model)
        {
            var bytes = (byte[])model.Clone();
            var (nodes, initializers) = ReadGraph(bytes);
            var conv1 = nodes["/conv1/Conv"];
            var conv2 = nodes["/conv2/Conv"];
            var w1 = initializers[conv1[1]];
            long perChannel1 = w1.Dims.Skip(1).Aggregate(1L, (a, b) => a * b);
            Scale(bytes, w1, i => i < perChannel1, Factor);
            Scale(bytes, initializers[conv1[2]], i => i == 0, Factor);
            var w2 = initializers[conv2[1]];
            long kernel = w2.Dims[2] * w2.Dims[3], inputChannels = w2.Dims[1];
            Scale(bytes, w2, i => i / kernel % inputChannels == 0, 1 / Factor);
            return bytes;
        }

        private sealed record Initializer(List<long> Dims, int RawOffset, int RawLength);

        private static void Scale(byte[] bytes, Initializer tensor, Func<long, bool> selected, float by)
        {
            Assert.True(tensor.RawLength > 0, "the model's float initializers are expected in raw_data");
            for (int i = 0; i < tensor.RawLength / 4; i++)
            {
                if (!selected(i)) continue;
                var at = bytes.AsSpan(tensor.RawOffset + 4 * i, 4);
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(at, System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(at) * by);
            }
        }

        /// <summary>ModelProto.graph (7) → nodes (1: name 3, inputs 1) and initializers (5: dims 1, name 8, raw_data 9).</summary>
        private static (Dictionary<string, List<string>> Nodes, Dictionary<string, Initializer> Initializers) ReadGraph(byte[] bytes)
        {
            var nodes = new Dictionary<string, List<string>>();
            var initializers = new Dictionary<string, Initializer>();
            foreach (var (field, start, length) in Fields(bytes, 0, bytes.Length).Where(f => f.Field == 7))
            {
                foreach (var (graphField, at, size) in Fields(bytes, start, start + length))
                {
                    if (graphField == 1)
                    {
                        var node = Fields(bytes, at, at + size).ToList();
                        var name = node.Where(f => f.Field == 3).Select(f => Text(bytes, f)).FirstOrDefault() ?? "";
                        nodes[name] = node.Where(f => f.Field == 1).Select(f => Text(bytes, f)).ToList();
                    }
                    else if (graphField == 5)
                    {
                        var tensor = Fields(bytes, at, at + size).ToList();
                        var dims = new List<long>();
                        foreach (var d in tensor.Where(f => f.Field == 1))
                        {
                            // Packed (a length-delimited run of varints) or one varint per field, whose value Fields returns as its length.
                            if (d.Length < 0) dims.Add(-d.Length - 1);
                            else for (int p = d.Start; p < d.Start + d.Length;) dims.Add(Varint(bytes, ref p));
                        }

                        var raw = tensor.FirstOrDefault(f => f.Field == 9);
                        initializers[Text(bytes, tensor.Single(f => f.Field == 8))] = new Initializer(dims, raw.Start, raw.Length);
                    }
                }
            }

            return (nodes, initializers);
        }

        /// <summary>The fields of one message: length-delimited ones as (start, length); a varint as length −value−1; fixed-size ones skipped.</summary>
        private static IEnumerable<(int Field, int Start, int Length)> Fields(byte[] bytes, int start, int end)
        {
            var fields = new List<(int, int, int)>();
            for (int p = start; p < end;)
            {
                long key = Varint(bytes, ref p);
                int field = (int)(key >> 3);
                switch (key & 7)
                {
                    case 0: fields.Add((field, p, (int)(-Varint(bytes, ref p) - 1))); break;
                    case 1: p += 8; break;
                    case 2:
                        int length = (int)Varint(bytes, ref p);
                        fields.Add((field, p, length));
                        p += length;
                        break;
                    case 5: p += 4; break;
                    default: throw new InvalidDataException($"unexpected protobuf wire type {key & 7} at byte {p}");
                }
            }

            return fields;
        }

        private static long Varint(byte[] bytes, ref int p)
        {
            long value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = bytes[p++];
                value |= (long)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }

        private static string Text(byte[] bytes, (int Field, int Start, int Length) field) => System.Text.Encoding.UTF8.GetString(bytes, field.Start, field.Length);
    }
}
