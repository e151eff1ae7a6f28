using Optimizer.Engine.Tests.HostileInput;
using System.Buffers.Binary;
using System.Text;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Tool.Tests;

/// <summary>
/// Data files named on the command line are hostile input too: <c>Calibration=/dev/zero</c> hung
/// <c>onnx-opt</c>; NaN data gave "agreement 0.0%, SQNR NaN". Through the real tool process.
/// </summary>
public sealed class HostileDataTests(ITestOutputHelper output) : IDisposable
{
    private readonly ToolRun _run = new();

    public void Dispose() => _run.Dispose();

    [ConditionalFact(Needs.Linux)]
    public void Calibration_from_dev_zero_is_refused_with_OPT1081_at_once()
    {
        var model = _run.PathOf("mlp.onnx");
        TinyModels.Gemm(model);

        var result = Run("optimize", model, "-o", _run.PathOf("out/mlp.onnx"), "--pass", "Quantize:Mode=StaticInt8,Calibration=/dev/zero", "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("OPT1081", result.Json().GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("'/dev/zero'", result.Stderr);
        Assert.False(Directory.Exists(_run.PathOf("out")));
    }

    [Fact]
    public void NaN_validation_data_for_verify_is_OPT1059_with_the_index()
    {
        var model = _run.PathOf("mlp.onnx");
        TinyModels.Gemm(model);
        var values = new float[6 * 4];
        for (var i = 0; i < values.Length; i++)
            values[i] = i / 10f;
        values[3 * 4 + 1] = float.NaN;
        File.WriteAllBytes(_run.PathOf("val.npy"), Npy(values, 6, 4));

        var result = Run("verify", model, model, "--validation", "val.npy");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("error OPT1059: ", result.Stderr);
        Assert.Contains("NaN at sample 3, element 1", result.Stderr);
        Assert.DoesNotContain("SQNR", result.Stdout);
    }

    private ToolRun.Result Run(params string[] args)
    {
        var result = _run.Process(args);
        output.WriteLine($"onnx-opt {string.Join(" ", args)}\n{result}");
        return result;
    }

    private static byte[] Npy(float[] values, params long[] shape)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        header = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 11) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.AddRange([1, 0, (byte)header.Length, (byte)(header.Length >> 8)]);
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        foreach (var value in values)
        {
            var item = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(item, value);
            bytes.AddRange(item);
        }

        return bytes.ToArray();
    }
}
