using Optimizer.Engine.DataFiles;
using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Verification;

/// <summary>
/// For a plan that declares nothing to verify: some models load in ONNX Runtime and fail only when
/// run (a Reshape to the wrong count, an Expand to 2^40 elements, Conv group 0), and the generated
/// class would throw at its first call. So the optimized model runs once on the data the engine has
/// (declared data, else generated inputs); only when that fails does the original run too, to say
/// whose fault it is (OPT1069 for the input, OPT1068 for our output). Nothing is reported when it runs.
/// </summary>
internal static class RunnableCheck
{
    public static void RunOnce(OptimizationPlan plan, OnnxModel original, OnnxModel optimized, byte[] optimizedBytes,
        IReadOnlyDictionary<string, SampleSet> calibration)
    {
        VerificationInputs data;
        try
        {
            data = VerificationData.Load(plan, original, null, calibration, SymbolicDimSizes.From(plan));
        }
        catch (VerificationException)
        {
            return; // No data can be made for these inputs: nothing to run.
        }

        try
        {
            ModelRunner.RunAll(optimizedBytes, optimized, data, ModelRunner.Optimized);
        }
        catch (VerificationException e) when (e.OnnxRuntimeFailedOn == ModelRunner.Optimized)
        {
            try
            {
                ModelRunner.RunAll(OnnxModelWriter.ToBytes(original), original, data, ModelRunner.Original);
            }
            catch (VerificationException o) when (o.OnnxRuntimeFailedOn == ModelRunner.Original)
            {
                if (!data.Conclusive)
                {
                    return; // Both failed on sizes guessed for symbolic dims: that proves nothing about either.
                }

                throw OnnxRuntimeLoadCheck.InputNotRunnable(plan.ModelPath,
                    $"ONNX Runtime cannot run it on {data.Source}: {Message(o)}", plan.DeclaredAt);
            }

            throw OnnxRuntimeLoadCheck.OptimizedNotRunnable($"ONNX Runtime cannot run the optimized model on {data.Source}: {Message(e)}", plan.DeclaredAt);
        }
        catch (VerificationException)
        {
            // Not an ONNX Runtime failure (e.g. no float output to collect): the run proves nothing either way.
        }
    }

    private static string? Message(VerificationException e) => e.InnerException?.Message.Trim().TrimEnd('.');
}
