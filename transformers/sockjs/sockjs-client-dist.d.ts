/** sockjs-client's prebuilt browser bundle (UMD): the same SockJS class as the package's main entry. */
declare module 'sockjs-client/dist/sockjs.min.js' {
  import SockJS from 'sockjs-client';
  export default SockJS;
}
