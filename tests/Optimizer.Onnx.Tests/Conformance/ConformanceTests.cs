using Optimizer.Tests.Shared;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Optimizer.Onnx.Tests.Conformance;

/// <summary>Runs the whole suite once for all tests in this class.</summary>
public sealed class ConformanceFixture
{
    public ConformanceFixture()
    {
        if (RepositoryLayout.SharedFolder("onnx-conformance") is not { } suite)
        {
            return; // the tests are reported as skipped ([ConditionalFact("onnx-conformance")])
        }

        var watch = Stopwatch.StartNew();
        var cases = ConformanceCase.Discover(suite);
        Results = ConformanceRunner.RunAll(cases, Math.Max(2, Environment.ProcessorCount));
        Elapsed = watch.Elapsed;
    }

    internal IReadOnlyList<CaseOutcome> Results { get; } = [];

    internal TimeSpan Elapsed { get; }
}

/// <summary>
/// Round-trip conformance over the ONNX project's own test suite: every model loads, saves and
/// reloads to an equal proto, and wherever ONNX Runtime can run a case, the re-saved model's
/// outputs equal the original's bit for bit.
/// </summary>
public sealed class ConformanceTests(ConformanceFixture fixture, ITestOutputHelper output) : IClassFixture<ConformanceFixture>
{
    // Measured: 1,594 of 1,951 cases run in Microsoft.ML.OnnxRuntime 1.31.1 (the rest use operators,
    // types or opsets it lacks, or sequence/optional inputs). A drop means
    // a round-trip regression or a runtime that runs fewer cases.
    private const int MinimumCasesRun = 1580;

    [ConditionalFact("onnx-conformance")]
    public void Every_model_loads_saves_and_reloads_to_an_equal_proto()
    {
        var results = fixture.Results;
        var loaded = results.Count(r => r.Loaded);
        var equal = results.Count(r => r.RoundTripEqual);
        var identical = results.Count(r => r.ByteIdentical);
        output.WriteLine($"models: {results.Count}, loaded: {loaded}, round-trip equal: {equal}, byte-identical to source: {identical} ({fixture.Elapsed.TotalSeconds:F0} s)");
        foreach (var r in results.Where(r => !r.RoundTripEqual))
        {
            output.WriteLine($"  FAILED {r.Name}: {r.Detail}");
        }

        Assert.True(results.Count >= 1900, $"expected the whole suite, found {results.Count} models");
        Assert.Equal(results.Count, loaded);
        Assert.Equal(results.Count, equal);
    }

    [ConditionalFact("onnx-conformance")]
    public void Re_saved_models_give_identical_outputs_in_onnx_runtime()
    {
        var counts = fixture.Results.GroupBy(r => r.Ort).ToDictionary(g => g.Key, g => g.Count());
        int Count(OrtOutcome o) => counts.GetValueOrDefault(o);
        output.WriteLine($"ran and equal: {Count(OrtOutcome.Ran)}, ORT refused to load: {Count(OrtOutcome.OrtRefusedLoad)}, " +
                         $"ORT failed to run: {Count(OrtOutcome.OrtRefusedRun)}, sequence/optional inputs skipped: {Count(OrtOutcome.NonTensorInput)}, " +
                         $"nondeterministic (not compared): {Count(OrtOutcome.Nondeterministic)}, mismatches: {Count(OrtOutcome.Mismatch)}");
        foreach (var folder in fixture.Results.GroupBy(r => r.Name[..r.Name.IndexOf('/')]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {folder.Key}: {folder.Count(r => r.Ort == OrtOutcome.Ran)} of {folder.Count()} ran and equal");
        }

        foreach (var r in fixture.Results.Where(r => r.Ort == OrtOutcome.Mismatch))
        {
            output.WriteLine($"  MISMATCH {r.Name}: {r.Detail}");
        }

        if (Environment.GetEnvironmentVariable("OPTIMIZER_CONFORMANCE_DETAILS") == "1")
        {
            foreach (var r in fixture.Results.Where(r => r.Ort is OrtOutcome.OrtRefusedLoad or OrtOutcome.OrtRefusedRun or OrtOutcome.NonTensorInput))
            {
                output.WriteLine($"  {r.Ort} {r.Name}: {r.Detail?.Split('\n')[0]}");
            }
        }

        Assert.Equal(0, Count(OrtOutcome.Mismatch));
        Assert.True(Count(OrtOutcome.Ran) >= MinimumCasesRun, $"only {Count(OrtOutcome.Ran)} cases ran; expected at least {MinimumCasesRun}");
    }

    [ConditionalFact("onnx-conformance")]
    public void Shape_inference_refuses_no_model_onnx_runtime_runs()
    {
        var runnable = fixture.Results.Where(r => r.Ort is OrtOutcome.Ran or OrtOutcome.Nondeterministic).ToArray();
        var refused = runnable.Where(r => r.InferenceRefusal is not null).ToArray();
        var refusedOfUnrunnable = fixture.Results.Count(r => r.Ort is OrtOutcome.OrtRefusedLoad or OrtOutcome.OrtRefusedRun && r.InferenceRefusal is not null);
        output.WriteLine($"ONNX Runtime ran {runnable.Length} models; shape inference refused {refused.Length} of them " +
                         $"(and {refusedOfUnrunnable} of the models ONNX Runtime itself refused)");
        foreach (var r in refused)
        {
            output.WriteLine($"  REFUSED {r.Name}: {r.InferenceRefusal}");
        }

        Assert.True(runnable.Length >= MinimumCasesRun, $"only {runnable.Length} cases ran");
        Assert.Empty(refused);
    }
}
