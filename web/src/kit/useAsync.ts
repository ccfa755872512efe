// Loading / error / data of one request, with a retry; stale answers (an older request finishing after a newer
// one, e.g. while typing in a search box) are dropped.
import { ref, shallowRef, type Ref, type ShallowRef } from "vue";

export interface AsyncData<T> {
  data: ShallowRef<T | null>;
  loading: Ref<boolean>;
  error: ShallowRef<unknown>;
  run: () => Promise<void>;
}

export function useAsync<T>(fn: () => Promise<T>): AsyncData<T> {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = shallowRef<unknown>(null);
  let seq = 0;
  async function run() {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const result = await fn();
      if (mine === seq) data.value = result;
    } catch (err) {
      if (mine === seq) error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }
  return { data, loading, error, run };
}
