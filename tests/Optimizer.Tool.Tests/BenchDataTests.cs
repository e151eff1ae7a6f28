using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary><c>bench --data</c> and <c>--dim</c>: the models are timed at the data's shapes (or stated generated ones), and the output says which.</summary>
public sealed class BenchDataTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact("data")]
    public void Bench_with_an_npz_times_the_encoder_at_the_datas_sequence_length_and_says_so()
    {
        const int Samples = 2, Tokens = 12;
        var ids = Enumerable.Range(0, Samples * Tokens).Select(i => i % Tokens == 0 ? 101L : i % Tokens == Tokens - 1 ? 102L : 2000L + i).ToArray();
        var data = MinimalNpz.Write(_run.PathOf("sentences.npz"),
            ("input_ids", [Samples, Tokens], ids),
            ("attention_mask", [Samples, Tokens], Enumerable.Repeat(1L, Samples * Tokens).ToArray()),
            ("token_type_ids", [Samples, Tokens], new long[Samples * Tokens]));

        var result = ToolRun.Tool("bench", ToolRun.SharedModel("arctic_embed_xs.onnx"), "--data", data, "--duration", "0.1", "--warmup", "1", "--min-runs", "3");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Timed at input_ids [1,12] (", result.Stdout);
        Assert.Contains("sentences.npz", result.Stdout);
        Assert.Contains("arctic_embed_xs.onnx", result.Stdout);

        var json = ToolRun.Tool("bench", ToolRun.SharedModel("arctic_embed_xs.onnx"), "--data", data, "--duration", "0.1", "--warmup", "1", "--min-runs", "3", "--json").Json();
        Assert.False(json.GetProperty("inputs").GetProperty("generated").GetBoolean());
        Assert.Equal("input_ids [1,12]", Assert.Single(json.GetProperty("shapes").EnumerateArray()).GetProperty("shape").GetString());
    }

    [ConditionalFact("data")]
    public void Bench_without_data_states_the_generated_shapes_and_the_dims_given()
    {
        var result = ToolRun.Tool("bench", ToolRun.SharedModel("arctic_embed_xs.onnx"), "--dim", "sequence_length=24", "--duration", "0.1", "--warmup", "1", "--min-runs", "3");
        output.WriteLine(result.ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Timed at input_ids [1,24] (generated inputs: ", result.Stdout);
        Assert.Contains("sequence_length=24", result.Stdout);
    }

    [ConditionalFact("data")]
    public void Bench_refuses_a_malformed_dim_with_a_coded_error()
    {
        var result = ToolRun.Tool("bench", ToolRun.SharedModel("arctic_embed_xs.onnx"), "--dim", "sequence_length");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"error OPT\d{4}: ", result.Stderr);
        Assert.Contains("sequence_length", result.Stderr);
    }

    /// <summary>
    /// int64 arrays saved as numpy.savez does (stored zip of version-1 .npy members). Minimal on
    /// purpose: replace with tests/Shared NpzWriter once the data branch is merged.
    /// </summary>
    private static class MinimalNpz
    {
        public static string Write(string path, params (string Name, long[] Shape, long[] Values)[] arrays)
        {
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            {
                foreach (var (name, shape, values) in arrays)
                {
                    using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                    var header = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))}), }}";
                    header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
                    entry.Write([0x93, .. "NUMPY"u8, 1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
                    entry.Write(Encoding.ASCII.GetBytes(header));
                    entry.Write(MemoryMarshal.AsBytes(values.AsSpan()));
                }
            }

            return path;
        }
    }
}
