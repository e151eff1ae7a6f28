using Optimizer.Engine.Calibration;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Compiler.Tests.Support;

/// <summary>A float test model statically quantized to INT8 by our Quantize pass, calibrated with ONNX Runtime on the given samples.</summary>
internal static class StaticInt8
{
    public static OnnxModel Quantize(OnnxModel model, CalibrationDataSet samples, string description)
    {
        var context = new PassContext
        {
            CalibrationData = new Dictionary<string, SampleSet> { ["calib"] = FloatInputSamples.From(model, samples, description) },
            Executor = new OnnxRuntimeModelExecutor(),
        };
        var options = new Dictionary<string, string> { ["Mode"] = "StaticInt8", ["Calibration"] = "calib" };
        return PassPipeline.Run(model, [new PassRequest("Quantize", options)], context).Model;
    }
}
