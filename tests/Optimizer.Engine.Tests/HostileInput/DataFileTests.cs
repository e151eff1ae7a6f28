using System.Diagnostics;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Engine.Tests.HostileInput;

/// <summary>
/// Calibration, validation and label files are hostile input: devices, pipes, /proc, hard links, NaN,
/// denormal-only data and malformed .npy headers each give a coded error naming the file, fast, never
/// a hang, OPT1099 or an output.
/// </summary>
public sealed class DataFileTests(ITestOutputHelper output) : IDisposable
{
    private readonly EngineRun _run = new();

    public void Dispose() => _run.Dispose();

    private (int ExitCode, string Stdout, string Stderr) Optimize(string option, string file, string pass = "Quantize")
    {
        var model = TinyModels.Gemm(_run.Directory + "/tiny.onnx");
        var options = pass == "Quantize"
            ? new Dictionary<string, string> { ["Mode"] = "StaticInt8", [option] = file }
            : new Dictionary<string, string> { ["MaxDrop"] = "0.5", [option] = file };
        var plan = _run.WritePlan(model, "Tiny", _run.OutputDirectory(), (pass, options));
        var stopwatch = Stopwatch.StartNew();
        // A run that hangs (the bug: open() on a FIFO, reading /dev/zero forever) fails here instead of stalling the suite.
        var run = Task.Run(() => EngineRun.Run("optimize", "--plan", plan));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), $"optimize with {option}={file} did not finish in 60 s");
        output.WriteLine($"{option}={file}: {stopwatch.Elapsed.TotalSeconds:0.00} s, exit {run.Result.ExitCode}\n{run.Result.Stdout}{run.Result.Stderr}");
        return run.Result;
    }

    private void AssertRefused(string code, (int ExitCode, string Stdout, string Stderr) result, params string[] mentions)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error {code}: ", result.Stderr);
        Assert.DoesNotContain("OPT1099", result.Stderr);
        foreach (var mention in mentions)
            Assert.Contains(mention, result.Stderr);
        Assert.False(Directory.Exists(_run.OutputDirectory()) && Directory.EnumerateFiles(_run.OutputDirectory(), "Tiny.*").Any(), "no output may be left");
    }

    [ConditionalFact(Needs.Linux)]
    public void Calibration_from_dev_zero_is_refused_without_reading()
    {
        AssertRefused("OPT1081", Optimize("Calibration", "/dev/zero"), "'/dev/zero'", "device or kernel file");
    }

    [ConditionalFact(Needs.Linux)]
    public void Calibration_from_a_fifo_is_refused_without_blocking()
    {
        var fifo = Path.Combine(_run.Directory, "calib.f32");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            mkfifo.WaitForExit();
        Assert.True(File.Exists(fifo));

        AssertRefused("OPT1081", Optimize("Calibration", "calib.f32"), "'calib.f32'", "named pipe (FIFO)");
    }

    [ConditionalFact(Needs.Linux)]
    public void Validation_from_proc_is_refused()
    {
        AssertRefused("OPT1081", Optimize("Validation", "/proc/self/environ", "AccuracyBudget"), "'/proc/self/environ'", "Validation file");
    }

    [ConditionalFact(Needs.Linux)]
    public void A_hard_linked_calibration_file_is_refused()
    {
        var outside = Path.Combine(_run.Directory, "elsewhere.npy");
        TinyModels.Npy(outside, TinyModels.Samples(8), 8, 4);
        var link = Path.Combine(_run.Directory, "calib.npy");
        using (var ln = Process.Start("ln", [outside, link]))
            ln.WaitForExit();

        AssertRefused("OPT1081", Optimize("Calibration", "calib.npy"), "hard links");
    }

    [Fact]
    public void NaN_in_calibration_data_names_the_sample_and_element()
    {
        var values = TinyModels.Samples(8);
        values[1 * 4 + 2] = float.NaN;
        TinyModels.Npy(Path.Combine(_run.Directory, "calib.npy"), values, 8, 4);

        AssertRefused("OPT1059", Optimize("Calibration", "calib.npy"), "'calib.npy'", "NaN at sample 1, element 2");
    }

    [Fact]
    public void Infinity_in_raw_validation_data_names_the_sample_and_element()
    {
        var values = TinyModels.Samples(8);
        values[5 * 4 + 3] = float.NegativeInfinity;
        File.WriteAllBytes(Path.Combine(_run.Directory, "val.f32"), values.SelectMany(BitConverter.GetBytes).ToArray());

        AssertRefused("OPT1059", Optimize("Validation", "val.f32", "AccuracyBudget"), "'val.f32'", "-Infinity at sample 5, element 3");
    }

    [Fact]
    public void Denormal_only_calibration_data_is_refused()
    {
        var values = new float[32];
        values[9] = 1e-42f;
        TinyModels.Npy(Path.Combine(_run.Directory, "calib.npy"), values, 8, 4);

        AssertRefused("OPT1059", Optimize("Calibration", "calib.npy"), "no normal value", "sample 2, element 1");
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", "OPT1251")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "OPT1251")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 4), }", "OPT1251")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (-8, 4), }", "OPT1251")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 4), }", "OPT1252")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (8, 4), }", "OPT1252")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (9, 4), }", "OPT1251")]
    [InlineData("{'descr': '<f4', 'shape': (8, 4), }", "OPT1251")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "OPT1251")]
    public void Hostile_npy_headers_get_their_code_and_the_file_name(string header, string code)
    {
        TinyModels.NpyWithHeader(Path.Combine(_run.Directory, "calib.npy"), header, TinyModels.Samples(8));

        AssertRefused(code, Optimize("Calibration", "calib.npy"), "'calib.npy'");
    }

    [Fact]
    public void An_npy_header_longer_than_the_file_or_the_cap_is_refused()
    {
        var path = Path.Combine(_run.Directory, "calib.npy");
        File.WriteAllBytes(path, [0x93, .. "NUMPY"u8.ToArray(), 2, 0, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'{']);

        AssertRefused("OPT1251", Optimize("Calibration", "calib.npy"), "-byte header");
    }

    [Theory]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999,), }")]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (4611686018427387904,), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }")]
    public void Hostile_label_files_get_a_coded_error(string header)
    {
        TinyModels.Npy(Path.Combine(_run.Directory, "val.npy"), TinyModels.Samples(8), 8, 4);
        TinyModels.NpyWithHeader(Path.Combine(_run.Directory, "labels.npy"), header, new float[16]);
        var model = TinyModels.Gemm(_run.Directory + "/tiny.onnx");
        var plan = _run.WritePlan(model, "Tiny", _run.OutputDirectory(),
            ("AccuracyBudget", new Dictionary<string, string> { ["MaxDrop"] = "0.5", ["Validation"] = "val.npy", ["Labels"] = "labels.npy" }));

        var result = EngineRun.Run("optimize", "--plan", plan);
        output.WriteLine(result.Stdout + result.Stderr);

        AssertRefused("OPT1056", result, "'labels.npy'");
    }

    [Fact]
    public void Clean_calibration_data_still_optimizes()
    {
        TinyModels.Npy(Path.Combine(_run.Directory, "calib.npy"), TinyModels.Samples(16), 16, 4);

        var result = Optimize("Calibration", "calib.npy");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(Path.Combine(_run.OutputDirectory(), "Tiny.model.json")));
    }
}
