using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Opset;
using Optimizer.Passes.Tests.Cleanup;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Opset;

/// <summary>
/// Every ONNX conformance case below opset 13 (node, pytorch-converted, pytorch-operator, simple:
/// the case's own test_data_set_0 inputs; light: synthesized inputs): raised to 13, run in ONNX
/// Runtime, and compared with the original's outputs. Refusals are counted, never failures.
/// </summary>
public sealed class ConformanceUpgradeTests(ITestOutputHelper output)
{
    [ConditionalTheory("onnx-conformance/node", "onnx-conformance/pytorch-converted", "onnx-conformance/pytorch-operator", "onnx-conformance/simple", "onnx-conformance/light")]
    [InlineData("node")]
    [InlineData("pytorch-converted")]
    [InlineData("pytorch-operator")]
    [InlineData("simple")]
    [InlineData("light")]
    public void Cases_below_opset_13_give_the_same_outputs_after_the_upgrade(string suiteName)
    {
        var suite = RepositoryLayout.RequiredShared("onnx-conformance");

        var folder = Path.Combine(suite, suiteName);
        var cases = suiteName == "light" ? EquivalenceSuite.ModelFiles(folder, suiteName) : EquivalenceSuite.CasesIn(folder);

        int older = 0, originalDoesNotRun = 0, refused = 0, upgraded = 0, equal = 0, adaptedNodes = 0;
        var failures = new List<string>();
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
        var adaptedOps = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            OnnxModel model;
            try
            {
                model = OnnxModelLoader.Load(c.ModelPath);
            }
            catch (OnnxFormatException)
            {
                continue;
            }

            if (model.GetOpsetVersion("") is not { } opset || opset >= 13 || (c.DataSet is null && suiteName != "light"))
            {
                continue;
            }

            older++;
            IReadOnlyList<OnnxTensor> inputs;
            Dictionary<string, (long[] Shape, double[] Values)> expected;
            try
            {
                inputs = c.DataSet is null ? OrtRunner.Synthesize(model) : Directory.GetFiles(c.DataSet, "input_*.pb")
                    .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)["input_".Length..])).Select(f => OnnxTensor.Parse(File.ReadAllBytes(f))).ToArray();
                expected = OrtRunner.Run(model, inputs);
            }
            catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or OnnxFormatException)
            {
                originalDoesNotRun++;
                continue;
            }

            var result = OpsetUpgrader.Upgrade(model, 13);
            if (!result.Succeeded)
            {
                refused++;
                var key = result.Refusal!.Contains("cannot confirm", StringComparison.Ordinal) ? "unknown operator"
                    : result.Refusal.Contains("cannot be adapted", StringComparison.Ordinal) ? "adapter refused this node"
                    : result.Refusal.Contains("subgraph", StringComparison.Ordinal) ? "change inside a subgraph" : "change not adapted";
                refusals[key] = refusals.GetValueOrDefault(key) + 1;
                output.WriteLine($"{c.Name} (opset {opset}): refused: {result.Refusal}");
                continue;
            }

            upgraded++;
            adaptedNodes += result.Changes.Count;
            foreach (var op in result.Changes.Select(ch => ch.Detail[..ch.Detail.IndexOf(':')]).Distinct())
            {
                adaptedOps[op] = adaptedOps.GetValueOrDefault(op) + 1;
            }

            try
            {
                var difference = OrtRunner.Difference(expected, OrtRunner.Run(model, inputs));
                if (difference is null)
                {
                    equal++;
                }
                else
                {
                    failures.Add($"{c.Name} (opset {opset}): {difference}");
                }
            }
            catch (Exception e) when (e is OnnxRuntimeException or OnnxFormatException)
            {
                failures.Add($"{c.Name} (opset {opset}): the upgraded model does not run: {e.Message}");
            }
        }

        output.WriteLine($"{suiteName} cases below opset 13: {older}; original does not run in ORT: {originalDoesNotRun}; refused: {refused} ({string.Join(", ", refusals.Select(r => $"{r.Key} {r.Value}"))}); upgraded: {upgraded} ({adaptedNodes} node adaptations), outputs equal: {equal}, different or failing: {failures.Count}");
        output.WriteLine($"cases with an adapted operator: {string.Join(", ", adaptedOps.Select(p => $"{p.Key} {p.Value}"))}");
        foreach (var failure in failures)
        {
            output.WriteLine("FAIL " + failure);
        }

        Assert.Empty(failures);
        // Cases whose original ONNX Runtime cannot run are left out; most of each suite must be compared
        // (measured: 64% of simple's 23 cases up to all 9 of light).
        Assert.True(upgraded * 2 > older, $"only {upgraded} of {older} cases below opset 13 were upgraded and compared");
    }
}
