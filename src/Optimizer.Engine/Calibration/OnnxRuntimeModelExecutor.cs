using Microsoft.ML.OnnxRuntime;
using Optimizer.Engine.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;

namespace Optimizer.Engine.Calibration;

/// <summary>
/// Runs float models in ONNX Runtime's CPU provider, with the observed intermediate values added
/// as graph outputs of a private copy of the model.
/// </summary>
public sealed class OnnxRuntimeModelExecutor : IModelExecutor
{
    /// <inheritdoc />
    public IModelSession Open(OnnxModel model, IReadOnlyList<string> observed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(observed);
        var copy = model.Clone();
        var outputs = copy.Graph.Outputs.Select(o => o.Name).ToHashSet();
        foreach (var name in observed.Where(outputs.Add))
        {
            copy.Graph.Outputs.Add(new ValueInfo(name, ValueTypeInfo.Tensor(TensorElementType.Float, null)));
        }

        return new Session(OnnxModelWriter.ToBytes(copy), observed.ToArray());
    }

    private sealed class Session : IModelSession
    {
        private readonly InferenceSession _session;
        private readonly SessionOptions _options;
        private readonly string[] _observed;

        public Session(byte[] model, string[] observed)
        {
            // Basic optimizations only: fusions could rename or remove the values we observe.
            _options = new SessionOptions
            {
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            };
            _session = new InferenceSession(model, _options);
            _observed = observed;
        }

        public IReadOnlyList<FloatTensor> Run(IReadOnlyDictionary<string, DataTensor> inputs)
        {
            var names = inputs.Keys.ToArray();
            var values = names.Select(n => OrtTensors.Create(inputs[n])).ToArray();
            try
            {
                using var runOptions = new RunOptions();
                using var results = _session.Run(runOptions, names, values, _observed);
                return results.Select(r => new FloatTensor(r.GetTensorDataAsSpan<float>().ToArray(), r.GetTensorTypeAndShape().Shape)).ToArray();
            }
            finally
            {
                foreach (var v in values)
                {
                    v.Dispose();
                }
            }
        }

        public void Dispose()
        {
            _session.Dispose();
            _options.Dispose();
        }
    }
}
