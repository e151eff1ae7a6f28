using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Onnx.Tests.Conformance;

/// <summary>
/// Loads, saves and reloads every conformance model, then runs original and re-saved model in
/// ONNX Runtime on the case's test data and compares outputs.
/// </summary>
internal static class ConformanceRunner
{
    public static IReadOnlyList<CaseOutcome> RunAll(IReadOnlyList<ConformanceCase> cases, int degree)
    {
        var results = new ConcurrentBag<CaseOutcome>();
        // Heavy light/ models first so the two cores stay busy to the end.
        var ordered = cases.OrderByDescending(c => c.IsLight).ToArray();
        Parallel.ForEach(ordered, new ParallelOptions { MaxDegreeOfParallelism = degree }, c => results.Add(Run(c)));
        return results.OrderBy(r => r.Name, StringComparer.Ordinal).ToArray();
    }

    private static CaseOutcome Run(ConformanceCase c)
    {
        var sourceBytes = File.ReadAllBytes(c.ModelPath);
        OnnxModel model;
        byte[] saved;
        try
        {
            model = OnnxModelLoader.Load(c.ModelPath);
            saved = OnnxModelWriter.ToBytes(model);
        }
        catch (OnnxFormatException e)
        {
            return new CaseOutcome(c.Name, false, false, false, OrtOutcome.NotRun, $"{e.Code}: {e.Message}");
        }

        var resaved = OnnxModelWriter.ToBytes(OnnxModelLoader.Load(saved, Path.GetDirectoryName(c.ModelPath)));
        var equal = resaved.AsSpan().SequenceEqual(saved)
                    && ModelProto.Parser.ParseFrom(saved).Equals(ModelProto.Parser.ParseFrom(sourceBytes));
        var identical = saved.AsSpan().SequenceEqual(sourceBytes);
        if (!equal)
        {
            return new CaseOutcome(c.Name, true, false, identical, OrtOutcome.NotRun, "re-saved proto differs from the source");
        }

        var (outcome, detail) = CompareInOrt(c, model, sourceBytes, saved);
        return new CaseOutcome(c.Name, true, true, identical, outcome, detail, InferenceRefusal(model));
    }

    private static string? InferenceRefusal(OnnxModel model)
    {
        try
        {
            _ = Onnx.ShapeInference.Infer(model);
            return null;
        }
        catch (OnnxFormatException e)
        {
            return $"{e.Code}: {e.Message}";
        }
    }

    private static (OrtOutcome, string?) CompareInOrt(ConformanceCase c, OnnxModel model, byte[] original, byte[] saved)
    {
        if (model.Graph.Inputs.Any(i => i.Type is { Kind: not ValueKind.Tensor }))
        {
            return (OrtOutcome.NonTensorInput, null);
        }

        using var options = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
        };
        InferenceSession originalSession;
        try
        {
            originalSession = new InferenceSession(original, options);
        }
        catch (OnnxRuntimeException e)
        {
            return (OrtOutcome.OrtRefusedLoad, e.Message);
        }

        var owned = new List<IDisposable> { originalSession };
        try
        {
            var inputSets = c.IsLight ? [SyntheticInputs(model)] : c.DataSets.Select(d => DataSetInputs(model, d)).ToList();
            owned.AddRange(inputSets.SelectMany(s => s.Values));
            List<IReadOnlyList<OrtValue>> expected;
            try
            {
                expected = inputSets.Select(inputs => Run(originalSession, inputs, owned)).ToList();
                var again = inputSets.Select(inputs => Run(originalSession, inputs, owned)).ToList();
                if (expected.Zip(again).Any(p => Differs(p.First, p.Second) is not null))
                {
                    return (OrtOutcome.Nondeterministic, null);
                }
            }
            catch (OnnxRuntimeException e)
            {
                return (OrtOutcome.OrtRefusedRun, e.Message);
            }

            try
            {
                var savedSession = new InferenceSession(saved, options);
                owned.Add(savedSession);
                for (var i = 0; i < inputSets.Count; i++)
                {
                    if (Differs(expected[i], Run(savedSession, inputSets[i], owned)) is { } difference)
                    {
                        return (OrtOutcome.Mismatch, difference);
                    }
                }
            }
            catch (OnnxRuntimeException e)
            {
                return (OrtOutcome.Mismatch, "re-saved model failed in ORT: " + e.Message);
            }

            return (OrtOutcome.Ran, null);
        }
        finally
        {
            owned.Reverse();
            owned.ForEach(d => d.Dispose());
        }
    }

    private static Dictionary<string, OrtValue> DataSetInputs(OnnxModel model, string dataSet)
    {
        var inputs = new Dictionary<string, OrtValue>();
        var realInputs = model.Graph.Inputs;
        foreach (var file in Directory.GetFiles(dataSet, "input_*.pb"))
        {
            var index = int.Parse(Path.GetFileNameWithoutExtension(file)["input_".Length..]);
            if (index < realInputs.Count)
            {
                inputs[realInputs[index].Name] = OrtValues.FromTensor(OnnxTensor.Parse(File.ReadAllBytes(file)));
            }
        }

        return inputs;
    }

    private static Dictionary<string, OrtValue> SyntheticInputs(OnnxModel model) =>
        model.Graph.Inputs.ToDictionary(i => i.Name, i => OrtValues.Synthetic(i.Type!));

    private static IReadOnlyList<OrtValue> Run(InferenceSession session, Dictionary<string, OrtValue> inputs, List<IDisposable> owned)
    {
        using var runOptions = new RunOptions();
        var outputs = session.Run(runOptions, inputs.Keys.ToArray(), inputs.Values.ToArray(), session.OutputNames);
        owned.Add(outputs);
        return outputs.ToList();
    }

    private static string? Differs(IReadOnlyList<OrtValue> expected, IReadOnlyList<OrtValue> actual)
    {
        for (var i = 0; i < expected.Count; i++)
        {
            if (OrtValues.Difference(expected[i], actual[i]) is { } d)
            {
                return $"output {i}: {d}";
            }
        }

        return null;
    }
}
