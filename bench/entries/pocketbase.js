import PocketBase from "pocketbase";
export async function start(baseUrl) {
  const pb = new PocketBase(baseUrl);
  pb.authStore.onChange(() => {});
  globalThis.__keep = [pb.collection("users").authWithPassword, pb.collection("users").authWithOAuth2, pb.authStore.clear];
  return pb;
}
